//! Turning an Airlock principal and resource into Cedar entities and a
//! request, following the entity model of `airlock.cedarschema`: the key
//! `Airlock::Key::"<key_id>"` in its `Airlock::Role::"<role>"`, the
//! resource `Airlock::Workflow::"<name>"` or `Airlock::Service::"airlock"`.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::LazyLock;

use airlock_core::{Principal, WorkflowGrant};
use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Request, RestrictedExpression,
};

use super::action::Action;
use super::resource::{Resource, WorkflowResource};

/// The entity type names and fixed uids, parsed once.
struct Names {
    key: EntityTypeName,
    role: EntityTypeName,
    workflow: EntityTypeName,
    service: EntityUid,
    /// Indexed by [`Action::index`].
    actions: Vec<EntityUid>,
}

impl Names {
    fn parse() -> Result<Names, String> {
        let type_name = |name: &str| {
            EntityTypeName::from_str(name).map_err(|err| format!("entity type `{name}`: {err}"))
        };
        let action_type = type_name("Airlock::Action")?;
        Ok(Names {
            key: type_name("Airlock::Key")?,
            role: type_name("Airlock::Role")?,
            workflow: type_name("Airlock::Workflow")?,
            service: EntityUid::from_type_name_and_id(
                type_name("Airlock::Service")?,
                EntityId::new("airlock"),
            ),
            actions: Action::ALL
                .iter()
                .map(|action| {
                    EntityUid::from_type_name_and_id(
                        action_type.clone(),
                        EntityId::new(action.as_str()),
                    )
                })
                .collect(),
        })
    }
}

/// Parsing fixed names cannot fail unless this file is wrong; if it is,
/// every decision denies with this error instead of panicking.
static NAMES: LazyLock<Result<Names, String>> = LazyLock::new(Names::parse);

fn names() -> Result<&'static Names, String> {
    NAMES
        .as_ref()
        .map_err(|err| format!("internal error in the entity names: {err}"))
}

/// The principal's entity, built once per principal and reused for every
/// resource it is checked against.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalEntity {
    uid: EntityUid,
    entity: Entity,
}

impl PrincipalEntity {
    pub(crate) fn new(principal: &Principal) -> Result<Self, String> {
        let names = names()?;
        let uid =
            EntityUid::from_type_name_and_id(names.key.clone(), EntityId::new(&principal.key_id));
        let role = EntityUid::from_type_name_and_id(
            names.role.clone(),
            EntityId::new(principal.role.as_str()),
        );
        let (all_workflows, granted) = match &principal.workflows {
            WorkflowGrant::All => (true, Vec::new()),
            WorkflowGrant::Only(workflows) => (false, workflows.iter().collect()),
        };
        let granted = granted
            .into_iter()
            .map(|name| RestrictedExpression::new_entity_uid(workflow_uid(names, name)));
        let attrs = HashMap::from([
            (
                "name".to_string(),
                RestrictedExpression::new_string(principal.name.clone()),
            ),
            (
                "role".to_string(),
                RestrictedExpression::new_string(principal.role.as_str().to_string()),
            ),
            (
                "all_workflows".to_string(),
                RestrictedExpression::new_bool(all_workflows),
            ),
            (
                "workflows".to_string(),
                RestrictedExpression::new_set(granted),
            ),
        ]);
        let entity = Entity::new(uid.clone(), attrs, HashSet::from([role]))
            .map_err(|err| format!("cannot build the key entity: {err}"))?;
        Ok(PrincipalEntity { uid, entity })
    }
}

/// A Cedar request with the entities it needs.
pub(crate) struct CedarRequest {
    pub(crate) request: Request,
    pub(crate) entities: Entities,
}

/// The request for `principal` doing `action` on `resource`. The caller
/// has checked that the action applies to the resource's kind.
pub(crate) fn cedar_request(
    principal: &PrincipalEntity,
    action: Action,
    resource: &Resource,
) -> Result<CedarRequest, String> {
    let names = names()?;
    let (resource_uid, resource_entity) = match resource {
        Resource::Workflow(workflow) => {
            let (uid, entity) = workflow_entity(names, workflow)?;
            (uid, Some(entity))
        }
        Resource::Service => (names.service.clone(), None),
    };
    let entities = Entities::from_entities(
        std::iter::once(principal.entity.clone()).chain(resource_entity),
        None,
    )
    .map_err(|err| format!("cannot build the request entities: {err}"))?;
    let request = request(names, principal, action, resource_uid)?;
    Ok(CedarRequest { request, entities })
}

/// One request per workflow of a listing, all sharing one set of entities
/// (the principal and every workflow), so the entity hierarchy is built
/// once rather than once per workflow. Workflow names must be unique.
pub(crate) fn listing_requests(
    principal: &PrincipalEntity,
    action: Action,
    workflows: &[WorkflowResource],
) -> Result<(Entities, Vec<Request>), String> {
    let names = names()?;
    let mut entities = Vec::with_capacity(workflows.len() + 1);
    let mut requests = Vec::with_capacity(workflows.len());
    entities.push(principal.entity.clone());
    for workflow in workflows {
        let (uid, entity) = workflow_entity(names, workflow)?;
        requests.push(request(names, principal, action, uid)?);
        entities.push(entity);
    }
    let entities = Entities::from_entities(entities, None)
        .map_err(|err| format!("cannot build the listing entities: {err}"))?;
    Ok((entities, requests))
}

fn request(
    names: &Names,
    principal: &PrincipalEntity,
    action: Action,
    resource: EntityUid,
) -> Result<Request, String> {
    let action_uid = names
        .actions
        .get(action.index())
        .cloned()
        .ok_or_else(|| format!("internal error: no entity for action `{action}`"))?;
    Request::new(
        principal.uid.clone(),
        action_uid,
        resource,
        Context::empty(),
        None,
    )
    .map_err(|err| format!("cannot build the request: {err}"))
}

fn workflow_uid(names: &Names, name: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(names.workflow.clone(), EntityId::new(name))
}

fn workflow_entity(
    names: &Names,
    workflow: &WorkflowResource,
) -> Result<(EntityUid, Entity), String> {
    let uid = workflow_uid(names, &workflow.name);
    let attrs = HashMap::from([
        (
            "owner".to_string(),
            RestrictedExpression::new_string(workflow.owner.clone()),
        ),
        (
            "risk".to_string(),
            RestrictedExpression::new_string(workflow.risk.clone()),
        ),
        (
            "data_class".to_string(),
            RestrictedExpression::new_string(workflow.data_class.clone()),
        ),
    ]);
    let entity = Entity::new(uid.clone(), attrs, HashSet::new())
        .map_err(|err| format!("cannot build the workflow entity: {err}"))?;
    Ok((uid, entity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::Role;

    use crate::authz::schema::airlock_schema;

    /// The entities built here conform to the schema policies are validated
    /// against (checked with the schema; the hot path skips that check).
    #[test]
    fn entities_conform_to_the_schema() {
        let schema = airlock_schema().unwrap();
        let principal = Principal {
            key_id: "k_1".to_string(),
            name: "crm".to_string(),
            role: Role::App,
            workflows: WorkflowGrant::Only(["triage".to_string()].into_iter().collect()),
        };
        let principal = PrincipalEntity::new(&principal).unwrap();
        let resource = Resource::Workflow(WorkflowResource::new(
            "triage", "support", "high", "internal",
        ));
        let built = cedar_request(&principal, Action::Run, &resource).unwrap();
        Entities::from_entities(built.entities, Some(&schema)).unwrap();
        Request::new(
            built.request.principal().unwrap().clone(),
            built.request.action().unwrap().clone(),
            built.request.resource().unwrap().clone(),
            Context::empty(),
            Some(&schema),
        )
        .unwrap();
    }
}
