//! What a node does when its Redis misbehaves (README "Security and failure behaviour"):
//! a real `redis-server` restarted under a running `serve --store redis`, keys that are not
//! UTF-8, and entries on the bus that are not invalidations.

mod common;

use std::time::{Duration, Instant};

use common::api::http;
use common::node::{Mode, Node, NodeConfig};
use common::services::RedisServer;
use serde_json::json;

fn redis_cmd(url: &str, args: &[&[u8]]) -> redis::Value {
    let mut c = redis::Client::open(url)
        .and_then(|c| c.get_connection())
        .expect("connect to the test redis-server");
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(&mut c).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// A node whose cache is in Redis heals by itself after Redis restarts: the next
/// invalidation (at most a few seconds later) succeeds and health is green again, without
/// restarting the node.
#[tokio::test(flavor = "multi_thread")]
async fn serve_store_redis_heals_after_a_redis_restart() {
    let mut redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    let http = http();
    let token = node.login(&http).await;
    let body = json!({"type": "posts", "mirror": false});
    let (status, answer) = node.invalidate(&http, Some(&token), &body).await;
    assert_eq!(status, 200, "{answer}");

    redis.restart();
    let restarted = Instant::now();
    let mut healed = None;
    while restarted.elapsed() < Duration::from_secs(15) {
        let (status, _) = node.invalidate(&http, Some(&token), &body).await;
        if status == 200 {
            healed = Some(restarted.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let healed = healed.expect("invalidation still failing 15 s after Redis came back");
    eprintln!("healed {} ms after Redis came back", healed.as_millis());
    assert!(healed < Duration::from_secs(5), "took {healed:?} to heal");
    let health = node.health(&http).await;
    assert_eq!(health["ok"], true, "{health}");
    // And the store works: a key written now is found and cleared.
    redis_cmd(&redis.url(), &[b"SET", b"cache:posts:id:9", b"{}"]);
    let (status, answer) = node.invalidate(&http, Some(&token), &body).await;
    assert_eq!(status, 200, "{answer}");
    let left: redis::Value = redis_cmd(&redis.url(), &[b"EXISTS", b"cache:posts:id:9"]);
    assert_eq!(
        left,
        redis::Value::Int(0),
        "the key written after the restart was cleared"
    );
}

/// A key that is not UTF-8 under a type neither stops that type's invalidation nor the
/// entries listing: it is cleared with the rest, and listed escaped as `redis keys` shows it.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_that_is_not_utf8_is_listed_escaped_and_cleared() {
    let redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    redis_cmd(&redis.url(), &[b"SET", b"cache:posts:bad\xff\xfe", b"x"]);
    let http = http();
    let entries = node.entries(&http).await;
    let posts: Vec<&str> = entries["posts"]
        .as_array()
        .expect("posts listed")
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    assert!(posts.contains(&"cache:posts:bad\\xff\\xfe"), "{posts:?}");

    let token = node.login(&http).await;
    let (status, answer) = node
        .invalidate(&http, Some(&token), &json!({"type": "posts", "mirror": false}))
        .await;
    assert_eq!(status, 200, "{answer}");
    let left: redis::Value = redis_cmd(&redis.url(), &[b"EXISTS", b"cache:posts:bad\xff\xfe"]);
    assert_eq!(left, redis::Value::Int(0), "the binary key was cleared");
    let health = node.health(&http).await;
    assert_eq!(health["ok"], true, "{health}");
}
