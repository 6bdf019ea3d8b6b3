//! `AppState`: what every request shares — configuration, the database pool, the compiled
//! templates, the static files and the cookie key. Built once at start-up.

use std::sync::Arc;

use actix_web::cookie::Key;
use actix_web::web;

use crate::changes::{consumers, ChangeFeed};
use crate::config::Config;
use crate::db::{DbConnection, DbPool};
use crate::error::AppError;
use crate::mail::Outbox;
use crate::rate_limits::RateLimits;
use crate::search::indexer::Indexer;
use crate::search::signal::Bell;
use crate::search::{OpenError, Search};
use crate::services::policy::PostingPolicy;
use crate::services::related::RelatedCache;
use crate::site_settings::live::SettingsFollower;
use crate::site_settings::{LiveSettings, SiteSettings};
use crate::templates::Templates;
use crate::view_counter::ViewCounter;
use crate::web::assets::AssetStore;
use crate::web::page_cache::PageCache;

/// Shared, read-only state of the running site.
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Database connections.
    pub pool: DbPool,
    /// Compiled page and mail templates.
    pub templates: Arc<Templates>,
    /// Queues mail and wakes the mail worker.
    pub outbox: Outbox,
    /// Static files.
    pub assets: AssetStore,
    /// Signs and encrypts cookies.
    pub cookie_key: Key,
    /// This node's rate limiters.
    pub rate_limits: RateLimits,
    /// This node's memory of failed sign-ins.
    pub sign_in_failures: crate::sign_in_failures::SignInFailures,
    /// This node's memory of recent question views.
    pub view_counter: ViewCounter,
    /// This node's copies of anonymous pages.
    pub page_cache: std::sync::Arc<PageCache>,
    /// Hears other nodes' writes for the page cache (PostgreSQL, with the cache on); stops
    /// when the state is dropped.
    pub page_notices: Option<crate::web::page_cache::Listener>,
    /// This node's search index.
    pub search: Search,
    /// This node's recently computed related-question lists.
    pub related: Arc<RelatedCache>,
    /// This node's recent suggestions for titles typed into the ask form.
    pub similar_titles: Arc<crate::services::similar::TitleCache>,
    /// This node's drawn share cards.
    pub share_cards: Arc<crate::web::share_cards::CardCache>,
    /// This node's recent search results pages.
    pub search_results: Arc<crate::services::search::ResultCache>,
    /// This node's memory of which client's searches were logged lately.
    pub logged_searches: Arc<crate::services::search::LoggedSearches>,
    /// Keeps the search index in step with the database; stops when the state is dropped.
    pub indexer: Indexer,
    /// Carries what each write changed to the indexer, the mail worker, notifications and the
    /// caches; use cases write through it ([`AppState::write`]).
    pub feed: Arc<ChangeFeed>,
    /// The run-time settings in effect on this node (name, look, posting rules).
    pub site_settings: Arc<LiveSettings>,
    /// Keeps [`AppState::site_settings`] in step with other nodes; stops when the state is dropped.
    pub settings_follower: SettingsFollower,
    /// What this node counts for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// The OpenID providers people may sign in with, and what this node learnt of them.
    pub identity_providers: Arc<crate::sso::IdentityProviders>,
    /// Fetches listening posts' feeds (staff's "check now" and each node's polling loop).
    pub feed_client: crate::webhooks::OutboundClient,
}

/// Start-up failed before the server could listen.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The templates do not compile.
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    /// The secret key is too short to derive cookie keys from.
    #[error("GUIDEPOST_SECRET_KEY: must be at least 32 bytes")]
    Secret,
    /// The assets folder could not be read.
    #[error("GUIDEPOST_ASSETS_DIR: {0}")]
    Assets(#[from] std::io::Error),
    /// The search index folder could not be opened.
    #[error("GUIDEPOST_DATA_DIR: {0}")]
    Search(#[from] OpenError),
    /// The indexer thread could not be started.
    #[error("search indexer: {0}")]
    Indexer(std::io::Error),
    /// The site settings thread could not be started.
    #[error("site settings: {0}")]
    SettingsFollower(std::io::Error),
    /// The thread that hears other nodes' page notices could not be started.
    #[error("page notices: {0}")]
    PageNotices(std::io::Error),
    /// A single sign-on provider cannot be set up.
    #[error("sso.providers: {0}")]
    IdentityProviders(String),
}

impl AppState {
    /// Loads templates and assets; `secret` must be at least 32 bytes.
    pub fn new(config: Config, pool: DbPool, secret: &[u8]) -> Result<Self, StartupError> {
        let assets = AssetStore::load(&config.assets_dir)?;
        let templates = Arc::new(Templates::load(assets.urls())?);
        if secret.len() < 32 {
            return Err(StartupError::Secret);
        }
        let cookie_key = Key::derive_from(secret);
        let search = Search::open(&config.data_dir)?;
        let site_settings = Arc::new(LiveSettings::new(&config));
        let outbox =
            Outbox::for_site(&config, Arc::clone(&templates), secret).with_site_settings(Arc::clone(&site_settings));
        // Signs this process's page notices, so its own listener skips them.
        let origin: u64 = rand::random();
        let feed = Arc::new(ChangeFeed::new(consumers::standard(&outbox, &site_settings, origin)));
        let bell = Arc::new(Bell::default());
        let indexer = Indexer::start(pool.clone(), search.clone(), Arc::clone(&bell)).map_err(StartupError::Indexer)?;
        feed.subscribe(Arc::new(consumers::search::WakeIndexer::new(bell)));
        let page_cache =
            std::sync::Arc::new(PageCache::new(std::time::Duration::from_secs(u64::from(config.page_cache_seconds))));
        feed.subscribe(Arc::new(page_cache.invalidator()));
        let page_notices =
            page_cache.follow_other_nodes(&config.database_url, origin).map_err(StartupError::PageNotices)?;
        let rate_limits = RateLimits::new(crate::rate_limits::PerMinute {
            heavy: config.heavy_requests_per_minute,
            api: config.api_requests_per_minute,
        });
        let settings_follower = SettingsFollower::start(pool.clone(), Arc::clone(&site_settings))
            .map_err(StartupError::SettingsFollower)?;
        let metrics = crate::metrics::Metrics::new(config.database_url.backend_name());
        let identity_providers =
            Arc::new(crate::sso::IdentityProviders::from_config(&config).map_err(StartupError::IdentityProviders)?);
        let feed_client = crate::webhooks::OutboundClient::for_feeds(crate::webhooks::Reach::of(&config));
        Ok(Self {
            identity_providers,
            feed_client,
            site_settings,
            settings_follower,
            cookie_key,
            page_cache,
            page_notices,
            config: Arc::new(config),
            pool,
            templates,
            outbox,
            assets,
            rate_limits,
            sign_in_failures: crate::sign_in_failures::SignInFailures::default(),
            view_counter: ViewCounter::default(),
            search,
            related: Arc::new(crate::services::related::new_cache()),
            search_results: Arc::new(crate::services::search::new_result_cache()),
            logged_searches: Arc::new(crate::services::search::new_logged_searches()),
            similar_titles: Arc::new(crate::services::similar::new_title_cache()),
            share_cards: Arc::new(crate::web::share_cards::new_cache()),
            indexer,
            feed,
            metrics,
        })
    }

    /// The run-time settings in effect now.
    pub fn settings(&self) -> Arc<SiteSettings> {
        self.site_settings.current()
    }

    /// The posting rules in effect now (verified address, images, moderation limits).
    pub fn posting_policy(&self) -> PostingPolicy {
        PostingPolicy::of_site(&self.settings())
    }

    /// Runs CPU work (rendering Markdown, checking a long form) on the blocking thread pool, so
    /// the async workers that accept connections and answer health checks never wait for it.
    /// Takes no database connection: do this before [`AppState::db`], not inside it.
    pub async fn compute<T, E, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        web::block(move || work().map_err(Into::into)).await?
    }

    /// Runs a write use case on the blocking thread pool with a pooled connection and the change
    /// feed, through which it writes (see [`ChangeFeed::write`]).
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection, &ChangeFeed) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let feed = Arc::clone(&self.feed);
        self.db(move |conn| work(conn, &feed)).await
    }

    /// Runs database work on the blocking thread pool with a pooled connection.
    pub async fn db<T, E, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let waits = self.metrics.pool_wait();
        web::block(move || {
            let asked = std::time::Instant::now();
            let mut conn = match pool.get() {
                Ok(conn) => {
                    waits.checked_out(asked.elapsed());
                    conn
                }
                Err(e) => {
                    waits.timed_out(asked.elapsed());
                    return Err(AppError::DatabaseUnavailable(e));
                }
            };
            work(&mut conn).map_err(Into::into)
        })
        .await?
    }
}
