//! The one way polycache reaches Redis, for `polycache redis`, a node's cache store
//! (`serve --store redis`) and the invalidation bus alike: the URL checked (redis:// or
//! rediss://, user and password, database), standalone or cluster found out once, connect
//! and reply timeouts, connections that heal after a restart, and errors in one enum
//! ([`StoreError`]) with any password scrubbed.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{AsyncConnectionConfig, Client, Cmd, ConnectionAddr, FromRedisValue, RedisError};

use super::{StoreError, cluster_masters};
use crate::config::redact_url_password;

/// How long a connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A Redis deployment: one server, or a cluster routed by key.
#[derive(Clone)]
pub struct Link {
    client: Client,
    cluster: Option<ClusterClient>,
    /// The URL with its password masked, for every message.
    pub url: String,
    password: Option<String>,
    pub db: i64,
    /// The masters, as `host:port` (one for a single server).
    pub masters: Vec<String>,
}

/// One connection to a [`Link`].
#[derive(Clone)]
pub enum Conn {
    /// A multiplexed connection to one server; fails for good when the server goes away.
    Single(MultiplexedConnection),
    /// A connection to one server that reconnects by itself (with backoff) after Redis
    /// restarts or drops it: a command that finds it broken fails, the next one gets a new one.
    Healing(ConnectionManager),
    /// A cluster connection, routed by key; it follows the cluster's slots and reconnects.
    Cluster(ClusterConnection),
}

impl Conn {
    /// Sends a command (routed by its key on a cluster) and reads its reply.
    pub async fn query<T: FromRedisValue>(&mut self, cmd: &Cmd) -> redis::RedisResult<T> {
        let v = match self {
            Conn::Single(c) => c.req_packed_command(cmd).await?,
            Conn::Healing(c) => c.req_packed_command(cmd).await?,
            Conn::Cluster(c) => c.req_packed_command(cmd).await?,
        };
        redis::from_redis_value(v).map_err(Into::into)
    }

    /// Sends a command to one master (`host:port`), as SCAN must be on a cluster; on a single
    /// server, to that server.
    pub async fn on_master<T: FromRedisValue>(&mut self, master: &str, cmd: Cmd) -> redis::RedisResult<T> {
        match self {
            Conn::Cluster(c) => {
                let (host, port) = master.rsplit_once(':').unwrap_or((master, "6379"));
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                    host: host.to_string(),
                    port: port.parse().unwrap_or(6379),
                });
                let v = c.route_command(cmd, routing).await?;
                redis::from_redis_value(v).map_err(Into::into)
            }
            _ => self.query(&cmd).await,
        }
    }
}

impl Link {
    /// Checks the URL, connects once to find out whether it names a cluster (and its
    /// masters), and keeps what later connections need.
    pub async fn open(url: &str) -> Result<Link, StoreError> {
        let shown = redact_url_password(url);
        let client = Client::open(url).map_err(|e| StoreError::BadUrl {
            url: shown.clone(),
            reason: bad_url_reason(&e),
        })?;
        let info = client.get_connection_info().clone();
        let mut link = Link {
            client,
            cluster: None,
            url: shown,
            password: info.redis_settings().password().map(str::to_string),
            db: info.redis_settings().db(),
            masters: Vec::new(),
        };
        let mut probe = link.connect(Duration::from_secs(10)).await?;
        let cluster_info: String = probe
            .query(redis::cmd("INFO").arg("cluster"))
            .await
            .map_err(|e| link.err(&e))?;
        let default_host = match info.addr() {
            ConnectionAddr::Tcp(h, _) | ConnectionAddr::TcpTls { host: h, .. } => h.clone(),
            _ => "127.0.0.1".to_string(),
        };
        if cluster_info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            let nodes: String = probe
                .query(redis::cmd("CLUSTER").arg("NODES"))
                .await
                .map_err(|e| link.err(&e))?;
            link.masters = cluster_masters(&nodes, &default_host)
                .into_iter()
                .map(|(h, p, _)| format!("{h}:{p}"))
                .collect();
            let cluster = redis::cluster::ClusterClient::builder(vec![url])
                .connection_timeout(CONNECT_TIMEOUT)
                .response_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| link.err(&e))?;
            link.cluster = Some(cluster);
        } else {
            link.masters = vec![match info.addr() {
                ConnectionAddr::Tcp(h, p) | ConnectionAddr::TcpTls { host: h, port: p, .. } => format!("{h}:{p}"),
                ConnectionAddr::Unix(p) => p.display().to_string(),
                _ => "?".to_string(),
            }];
        }
        Ok(link)
    }

    pub fn is_cluster(&self) -> bool {
        self.cluster.is_some()
    }

    /// The client of the URL (one server, or the cluster node it names).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A new connection whose replies may take up to `response_timeout` (blocking reads
    /// need one of their own, longer than their BLOCK): routed by key on a cluster.
    pub async fn connect(&self, response_timeout: Duration) -> Result<Conn, StoreError> {
        match &self.cluster {
            None => self.single(&self.client, response_timeout).await.map(Conn::Single),
            Some(cc) => {
                let fut = cc.get_async_connection();
                match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), fut).await {
                    Ok(Ok(c)) => Ok(Conn::Cluster(c)),
                    Ok(Err(e)) => Err(self.err(&e)),
                    Err(_) => Err(StoreError::Timeout { url: self.url.clone() }),
                }
            }
        }
    }

    /// A connection that heals by itself after Redis restarts (retries from 100 ms doubling
    /// to 2 s, a connect attempt bounded at 3 s and every reply at 10 s): for a server that
    /// must outlive its Redis.
    pub async fn healing(&self) -> Result<Conn, StoreError> {
        if self.cluster.is_some() {
            return self.connect(Duration::from_secs(10)).await;
        }
        let config = ConnectionManagerConfig::new()
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(2))
            .set_number_of_retries(4)
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(10)));
        let fut = ConnectionManager::new_with_config(self.client.clone(), config);
        match tokio::time::timeout(CONNECT_TIMEOUT, fut).await {
            Ok(Ok(c)) => Ok(Conn::Healing(c)),
            Ok(Err(e)) => Err(self.err(&e)),
            Err(_) => Err(StoreError::Timeout { url: self.url.clone() }),
        }
    }

    /// A multiplexed connection to the server of `client`.
    pub async fn single(
        &self,
        client: &Client,
        response_timeout: Duration,
    ) -> Result<MultiplexedConnection, StoreError> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(response_timeout));
        match tokio::time::timeout(
            CONNECT_TIMEOUT + Duration::from_secs(1),
            client.get_multiplexed_async_connection_with_config(&config),
        )
        .await
        {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(self.err(&e)),
            Err(_) => Err(StoreError::Timeout { url: self.url.clone() }),
        }
    }

    /// A client for one master of the cluster (`host:port`), with the same credentials,
    /// database and TLS settings as the URL.
    pub fn master_client(&self, addr: &str) -> Result<Client, StoreError> {
        let info = self.client.get_connection_info().clone();
        let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "6379"));
        let (host, port) = (host.to_string(), port.parse().unwrap_or(6379));
        let addr = match info.addr() {
            ConnectionAddr::TcpTls {
                insecure, tls_params, ..
            } => ConnectionAddr::TcpTls {
                host,
                port,
                insecure: *insecure,
                tls_params: tls_params.clone(),
            },
            _ => ConnectionAddr::Tcp(host, port),
        };
        Client::open(info.set_addr(addr)).map_err(|e| self.err(&e))
    }

    /// A redis-rs error in the one enum, the password scrubbed.
    pub fn err(&self, e: &RedisError) -> StoreError {
        StoreError::from_redis(e, &self.url, self.password.as_deref())
    }

    /// A redis-rs error as one short line, the password scrubbed (`connection refused`
    /// for a refusal): for messages that name the URL themselves.
    pub fn detail(&self, e: &RedisError) -> String {
        if e.is_connection_refusal() {
            return "connection refused".to_string();
        }
        let mut detail = e.to_string();
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            detail = detail.replace(p, "••••");
        }
        detail.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn bad_url_reason(e: &RedisError) -> String {
    e.detail()
        .map(str::to_string)
        .unwrap_or_else(|| "expected redis://[user:password@]host[:port][/db] or rediss://...".to_string())
}
