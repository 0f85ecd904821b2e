//! What nodes run against: a real `redis-server`, a Redis Cluster of several, and a real
//! nginx load balancer, each on free loopback ports and stopped on drop. Each panics
//! (failing the test, never skipping it) when its program is not installed: `.ci/run`
//! installs them.
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::process::Reaped;
use super::{free_port, wait_for_port};

/// A real `redis-server` on a free loopback port, without persistence, killed on drop.
pub struct RedisServer {
    pub port: u16,
    child: Reaped,
    _dir: tempfile::TempDir,
    args: Vec<String>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// Starts with extra arguments, e.g. `["--requirepass", "pw"]`.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let mut dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..5 {
            let port = free_port();
            let mut args: Vec<String> = ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if !extra.contains(&"--appendonly") {
                args.extend(["--appendonly".to_string(), "no".to_string()]);
            }
            args.push("--dir".into());
            args.push(dir.path().display().to_string());
            args.extend(extra.iter().map(|s| s.to_string()));
            let child = spawn_redis(&args);
            let server = RedisServer {
                port,
                child,
                _dir: dir,
                args,
            };
            if wait_for_port(port, Duration::from_secs(5)) {
                return server;
            }
            drop(server); // kills the child; the port was probably taken meanwhile
            dir = tempfile::tempdir().expect("tempdir");
        }
        panic!("redis-server did not start");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (like a crash): its port stops answering.
    pub fn kill(&mut self) {
        self.child.kill_and_wait();
    }

    /// Starts it again on the same port, directory and arguments (with `--appendonly yes`
    /// it comes back with its data).
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn_redis(&self.args);
        assert!(
            wait_for_port(self.port, Duration::from_secs(10)),
            "redis-server did not come back on port {}",
            self.port
        );
    }
}

fn spawn_redis(args: &[String]) -> Reaped {
    Reaped::spawn(
        Command::new("redis-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
        "redis-server must be installed (apt-get install redis-server); .ci/run installs it",
    )
}

/// A Redis Cluster of `n` masters on free loopback ports (slots split evenly, joined with
/// CLUSTER MEET), killed on drop.
pub struct RedisCluster {
    pub masters: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start(n: usize) -> RedisCluster {
        let masters: Vec<RedisServer> = (0..n)
            .map(|_| {
                let bus = free_port().to_string();
                RedisServer::start_with(&["--cluster-enabled", "yes", "--cluster-port", &bus])
            })
            .collect();
        let conns: Vec<redis::Connection> = masters
            .iter()
            .map(|m| {
                redis::Client::open(m.url())
                    .and_then(|c| c.get_connection())
                    .expect("connect to a cluster master")
            })
            .collect();
        let mut conns = conns;
        let per = 16384 / n;
        for (i, c) in conns.iter_mut().enumerate() {
            let first = i * per;
            let last = if i + 1 == n { 16383 } else { first + per - 1 };
            redis::cmd("CLUSTER")
                .arg("ADDSLOTSRANGE")
                .arg(first)
                .arg(last)
                .query::<()>(c)
                .expect("ADDSLOTSRANGE");
        }
        for m in &masters[1..] {
            let v: Vec<String> = redis::cmd("CONFIG")
                .arg("GET")
                .arg("cluster-port")
                .query(&mut redis::Client::open(m.url()).unwrap().get_connection().unwrap())
                .expect("cluster-port");
            redis::cmd("CLUSTER")
                .arg("MEET")
                .arg("127.0.0.1")
                .arg(m.port)
                .arg(&v[1])
                .query::<()>(&mut conns[0])
                .expect("CLUSTER MEET");
        }
        let start = Instant::now();
        loop {
            let ok = conns.iter_mut().all(|c| {
                redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query::<String>(c)
                    .is_ok_and(|s| s.contains("cluster_state:ok") && s.contains(&format!("cluster_known_nodes:{n}")))
            });
            if ok {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "the cluster did not form");
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisCluster { masters }
    }

    pub fn url(&self) -> String {
        self.masters[0].url()
    }
}

/// A real nginx as a round-robin HTTP load balancer on a free loopback port, with SSE
/// buffering off, in front of `upstreams` (loopback ports). Stopped on drop with SIGTERM,
/// so that its master stops its worker processes too (a killed master leaves them behind).
pub struct Balancer {
    pub port: u16,
    child: Reaped,
    pub dir: tempfile::TempDir,
}

impl Balancer {
    pub fn start(upstreams: &[u16]) -> Balancer {
        let dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..5 {
            let port = free_port();
            let d = dir.path().display().to_string();
            let servers: String = upstreams
                .iter()
                .map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;\n"))
                .collect();
            // nginx run by root drops its workers to `nobody` unless told otherwise, and
            // nobody cannot enter the temporary directory.
            let user = if is_root() { "user root;\n" } else { "" };
            let conf = format!(
                "{user}worker_processes 1;\n\
                 events {{ worker_connections 4096; }}\n\
                 http {{\n\
                 access_log off;\n\
                 client_body_temp_path {d}/client_body;\n\
                 proxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\n\
                 uwsgi_temp_path {d}/uwsgi;\n\
                 scgi_temp_path {d}/scgi;\n\
                 upstream nodes {{\n{servers}    keepalive 16;\n  }}\n\
                 server {{\n\
                 listen 127.0.0.1:{port};\n\
                 location / {{\n\
                 proxy_pass http://nodes;\n\
                 proxy_http_version 1.1;\n\
                 proxy_set_header Connection \"\";\n\
                 proxy_set_header Host $host;\n\
                 proxy_buffering off;\n\
                 proxy_cache off;\n\
                 proxy_read_timeout 1h;\n\
                 proxy_connect_timeout 2s;\n\
                 proxy_next_upstream error timeout;\n\
                 }}\n  }}\n}}\n"
            );
            let file = dir.path().join("nginx.conf");
            std::fs::write(&file, conf).expect("write nginx.conf");
            let mut child = Reaped::spawn(
                Command::new("nginx")
                    .arg("-c")
                    .arg(&file)
                    .arg("-p")
                    .arg(dir.path())
                    .arg("-g")
                    .arg(format!("daemon off; pid {d}/nginx.pid; error_log {d}/error.log warn;"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::from(
                        std::fs::File::create(dir.path().join("stderr.txt")).expect("stderr file"),
                    )),
                "nginx must be installed (apt-get install nginx-light or nginx); .ci/run installs it",
            )
            .sigterm_on_drop(Duration::from_secs(5));
            if wait_for_port(port, Duration::from_secs(5)) {
                return Balancer { port, child, dir };
            }
            child.stop(Duration::from_secs(5));
            let err = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default()
                + &std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
            if !err.contains("Address already in use") {
                panic!("nginx did not start:\n{err}");
            }
        }
        panic!("nginx did not start on any free port");
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}
