//! Building and running the server: bind, connect, route, serve until told to stop.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::serve::ListenerExt;
use axum::{
    Router,
    http::{HeaderValue, header},
};
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::{config::Config, pages::PageBackend, state::AppState, storage::Storage};

/// A start-up failure, said in one line with the fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "cannot listen on {addr}: {source} (is another Tavoli running? choose another port with TAVOLI_ADDR / --addr)"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Database(String),
}

/// A bound, connected server, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects the storage (applying migrations), binds the address and builds the routes.
    /// The database is opened before the port is bound, so a bad database never leaves a
    /// half-started server behind.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let storage = Storage::connect(&config.database)
            .await
            .map_err(|e| StartError::Database(e.to_string()))?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        let leptos_options = leptos_options(&config.site_dir, local_addr);
        let live = crate::live::Live::start(storage.clone());
        let state = AppState {
            storage,
            live,
            leptos_options,
            rate_limit_scale: config.rate_limit_scale,
        };
        let router = router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn storage(&self) -> &Storage {
        &self.state.storage
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // TCP_NODELAY: a websocket sends small frames (an ack, one event) that Nagle's
        // algorithm would hold until the peer's delayed ACK, about 40 ms (docs/BENCHMARKS.md).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// Leptos' view of the site: where the bundle is and how it is named.
pub fn leptos_options(site_dir: &std::path::Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tavoli")
        .site_root(site_dir.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(tavoli_app::App);
    let backend: Arc<dyn tavoli_app::api::Backend> = Arc::new(PageBackend {
        storage: state.storage.clone(),
        state: state.clone(),
    });
    let synthesis = crate::synthesis_pages::SynthesisPages::shared(state.clone());
    let options = state.leptos_options.clone();
    // The bundle's file names carry no hash, so browsers revalidate (a 304 when unchanged);
    // the pre-compressed .br/.gz copies made at build time are sent as they are.
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .nest_service("/pkg", pkg)
        .merge(crate::http::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                leptos::prelude::provide_context(backend.clone());
                leptos::prelude::provide_context(synthesis.clone());
                crate::http::guard::provide_page_policy();
            },
            move || tavoli_app::shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            tavoli_app::shell,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::http::guard::BODY_LIMIT,
        ))
        .layer(axum::middleware::from_fn_with_state(
            crate::http::guard::Guard::start(state.rate_limit_scale),
            crate::http::guard::protect,
        ))
        .with_state(state)
}

/// Resolves when the process receives Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
