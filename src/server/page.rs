//! `GET /`: a live page for people who would rather look than read: the stream's events
//! as they arrive, the entries per type, the connected clients. One HTML file embedded in
//! the binary (no build step, no external assets), filled in once at startup with the
//! stream path and the graph's cascades.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::graph::Graph;

const TEMPLATE: &str = include_str!("page.html");

/// Nothing but the page itself: inline script and style, requests to this node only.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'";

/// The page, ready to send.
#[derive(Clone)]
pub struct Page(Bytes);

/// A value as a JavaScript literal inside `<script>`: JSON, with `<` escaped so that no
/// string can close the script element.
fn js(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

impl Page {
    pub fn render(stream_path: &str, graph: &Graph) -> Page {
        let cascades: serde_json::Map<String, serde_json::Value> = graph
            .types()
            .iter()
            .map(|t| (t.clone(), serde_json::Value::from(graph.cascade(t))))
            .collect();
        let html = TEMPLATE
            .replace("__STREAM_PATH__", &js(&serde_json::Value::from(stream_path)))
            .replace("__CASCADES__", &js(&serde_json::Value::Object(cascades)))
            .replace("__VERSION__", &js(&serde_json::Value::from(env!("CARGO_PKG_VERSION"))));
        Page(Bytes::from(html))
    }

    pub fn response(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ],
            self.0.clone(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_filled_in_and_a_path_cannot_break_out_of_the_script() {
        let graph = Graph::built_in();
        let page = Page::render("/api/</script><b>x", &graph);
        let html = String::from_utf8(page.0.to_vec()).unwrap();
        assert!(!html.contains("__STREAM_PATH__") && !html.contains("__CASCADES__"));
        assert!(
            html.contains(r#"const STREAM_PATH = "/api/\u003c/script>\u003cb>x";"#),
            "{html}"
        );
        assert!(
            html.contains(r#""pictures":["pictures","posts","pages","feed"]"#),
            "{html}"
        );
        assert_eq!(html.matches("</script>").count(), 1);
    }
}
