//! Rules for clusters (raggruppamenti): create, rename, delete, and moving cards between them.
//! Only facilitators and the planning office get here (see `permission`); any phase is fine.

use crate::board::Board;
use crate::command::Context;
use crate::decide::live;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::ids::entity_id;
use crate::text::Title;

pub(crate) fn create(ctx: &Context, title: &str) -> Result<Vec<EventKind>, DomainError> {
    let title = Title::parse(title)?;
    Ok(vec![EventKind::ClusterCreated {
        cluster_id: entity_id(ctx.command_id),
        title: title.into_string(),
    }])
}

pub(crate) fn rename(
    board: &Board,
    cluster_id: &str,
    title: &str,
) -> Result<Vec<EventKind>, DomainError> {
    let title = Title::parse(title)?;
    let cluster = board
        .cluster(cluster_id)
        .ok_or(DomainError::UnknownCluster)?;
    Ok(vec![EventKind::ClusterRenamed {
        cluster_id: cluster.cluster_id.clone(),
        title: title.into_string(),
    }])
}

/// Deleting a cluster keeps its cards: `apply` takes them out of it.
pub(crate) fn delete(board: &Board, cluster_id: &str) -> Result<Vec<EventKind>, DomainError> {
    let cluster = board
        .cluster(cluster_id)
        .ok_or(DomainError::UnknownCluster)?;
    Ok(vec![EventKind::ClusterDeleted {
        cluster_id: cluster.cluster_id.clone(),
    }])
}

pub(crate) fn move_contribution(
    board: &Board,
    contribution_id: &str,
    cluster_id: Option<&str>,
) -> Result<Vec<EventKind>, DomainError> {
    let contribution = live(board, contribution_id)?;
    let cluster_id = match cluster_id {
        Some(cluster_id) => Some(
            board
                .cluster(cluster_id)
                .ok_or(DomainError::UnknownCluster)?
                .cluster_id
                .clone(),
        ),
        None => None,
    };
    Ok(vec![EventKind::ContributionMoved {
        contribution_id: contribution.contribution_id.clone(),
        cluster_id,
    }])
}
