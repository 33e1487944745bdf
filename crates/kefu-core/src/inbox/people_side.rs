//! When a person stops working for the shop: what they were holding goes back to routing.

use super::routing_side::status_change;
use super::{Actor, Inbox};
use crate::conversation::{state, Status};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::UserId;
use crate::routing::Waiting;
use crate::store::{ConversationFilter, Store};

impl<S: Store> Inbox<S> {
    /// Put every conversation assigned to `agent` back in its team's queue (a deactivated
    /// person's customers are served by someone else); returns how many moved.
    pub async fn release_agent(&self, actor: Actor, agent: UserId) -> Result<usize, CoreError> {
        self.ready(actor.shop_id).await;
        let filter = ConversationFilter { statuses: vec![Status::Assigned], agent_id: Some(agent), limit: 10_000 };
        let held = self.store.conversations(actor.shop_id, &filter).await?;
        let mut moved = 0;
        for probe in held {
            let _guard = self.lock_customer(probe.customer_id).await;
            let mut conversation = self.load_conversation(actor.shop_id, probe.id).await?;
            if conversation.status != Status::Assigned || conversation.agent_id != Some(agent) {
                continue;
            }
            let now = self.clock.now();
            let team = conversation.team_id.clone();
            let kind = EventKind::ConversationTransferred { from: Some(agent), to_agent: None, to_team: team.clone(), by: actor.user_id };
            let mut events = vec![Event::conversation(actor.shop_id, conversation.id, conversation.customer_id, now, kind)];
            state::requeue(&mut conversation, team.clone(), now)?;
            events.push(state::queue(&mut conversation, now));
            self.commit(actor.shop_id, status_change(&conversation, events), Some(conversation.clone()), None).await?;
            self.with_desk(actor.shop_id, |d| {
                d.remove(conversation.id);
                d.release(agent);
                d.enqueue(Waiting {
                    conversation_id: conversation.id,
                    customer_id: conversation.customer_id,
                    team,
                    priority: conversation.priority,
                    since: now,
                    language: None,
                    vip: false,
                });
            });
            moved += 1;
        }
        self.dispatch(actor.shop_id).await;
        Ok(moved)
    }
}
