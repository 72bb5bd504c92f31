//! Builds the [`Gateway`] from the validated settings: one HTTP client per
//! provider, one [`ResilientProvider`] (breaker, limits, retries) per
//! provider and model — shared by every route that names the pair — and
//! the routes in order.

use std::collections::HashMap;
use std::sync::Arc;

use airlock_config::{
    GatewaySettings, ProviderKind, ProviderSettings, RouteKind as ConfigRouteKind,
};
use airlock_core::{Error, Result};
use airlock_providers::{
    AnthropicConfig, AnthropicProvider, ModelRoute, ModelRouter, OpenAiConfig, OpenAiProvider,
    Price, Provider, ResilienceSettings, ResilientProvider, RouteKind, Target,
};

use super::Gateway;

/// The gateway `settings` describe; `local` serves the routes that name
/// the built-in `local` provider (`None` when no route does).
pub fn build_gateway(
    settings: &GatewaySettings,
    local: Option<Arc<dyn Provider>>,
) -> Result<Gateway> {
    let mut clients: HashMap<&str, (Arc<dyn Provider>, &ProviderSettings)> = HashMap::new();
    for provider in &settings.providers {
        let client: Arc<dyn Provider> = match provider.kind {
            ProviderKind::OpenAi => Arc::new(OpenAiProvider::new(OpenAiConfig {
                name: provider.name.clone(),
                base_url: provider.base_url.clone(),
                api_key: provider.api_key.as_ref().map(|k| k.expose().to_string()),
                auth_header: provider.auth_header.clone(),
                query: provider.query.clone(),
                connect_timeout: provider.connect_timeout,
                first_token_timeout: provider.first_token_timeout,
            })?),
            ProviderKind::Anthropic => Arc::new(AnthropicProvider::new(AnthropicConfig {
                name: provider.name.clone(),
                base_url: provider.base_url.clone(),
                api_key: provider.api_key.as_ref().map(|k| k.expose().to_string()),
                version: "2023-06-01".to_string(),
                connect_timeout: provider.connect_timeout,
                first_token_timeout: provider.first_token_timeout,
            })?),
            ProviderKind::Local => match &local {
                Some(local) => Arc::clone(local),
                None => {
                    return Err(Error::internal(format!(
                        "provider {:?} is local, but the local models were not loaded",
                        provider.name
                    )))
                }
            },
        };
        clients.insert(provider.name.as_str(), (client, provider));
    }
    let mut layered: HashMap<(String, String), Arc<ResilientProvider>> = HashMap::new();
    let mut routes = Vec::with_capacity(settings.routes.len());
    let mut data_classes = HashMap::new();
    for route in &settings.routes {
        let mut targets = Vec::with_capacity(route.targets.len());
        for target in &route.targets {
            let (client, provider) = clients.get(target.provider.as_str()).ok_or_else(|| {
                Error::internal(format!("route {:?} names an unknown provider", route.name))
            })?;
            let resilient = layered
                .entry((target.provider.clone(), target.model.clone()))
                .or_insert_with(|| {
                    Arc::new(ResilientProvider::new(
                        Arc::clone(client),
                        resilience(provider),
                    ))
                });
            targets.push(Target {
                provider: Arc::clone(resilient),
                model: target.model.clone(),
                price: Price {
                    input_per_million: target.input_price,
                    output_per_million: target.output_price,
                },
                data_classes: provider.data_classes.clone(),
            });
        }
        data_classes.insert(route.name.clone(), route.data_class.clone());
        routes.push(ModelRoute {
            name: route.name.clone(),
            kind: match route.kind {
                ConfigRouteKind::Chat => RouteKind::Chat,
                ConfigRouteKind::Embedding => RouteKind::Embedding,
            },
            targets,
        });
    }
    let mut gateway = Gateway::new(ModelRouter::new(routes)?, settings.budgets.clone())?;
    gateway.data_classes = data_classes;
    Ok(gateway)
}

fn resilience(provider: &ProviderSettings) -> ResilienceSettings {
    ResilienceSettings {
        total_timeout: provider.total_timeout,
        max_retries: provider.max_retries,
        backoff_base: provider.retry_backoff,
        backoff_max: provider.retry_backoff_max,
        breaker_failures: provider.breaker_failures,
        breaker_open_for: provider.breaker_open_for,
        requests_per_minute: provider.requests_per_minute,
        tokens_per_minute: provider.tokens_per_minute,
        max_concurrency: provider.max_concurrency,
        limit_wait: provider.limit_wait,
    }
}
