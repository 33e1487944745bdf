//! Bot figures read from the event log: an A/B experiment's results (per variant, the
//! conversations exposed, how many the bot resolved without a person, how many it handed over,
//! CSAT; each variant against the control by a two-proportion z-test) and per-FAQ figures.

use super::Inbox;
use crate::bot::experiment::{compare, Comparison, Rate};
use crate::error::CoreError;
use crate::event::EventKind;
use crate::ids::{ConversationId, ShopId};
use crate::store::Store;
use serde::Serialize;
use std::collections::HashMap;

/// Events read per page while scanning the log.
const PAGE: u32 = 5_000;
/// Most events one results query reads (the rest is reported as not read).
const SCAN_LIMIT: usize = 2_000_000;

/// One variant's figures.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantResult {
    /// Name.
    pub variant: String,
    /// Conversations exposed.
    pub conversations: u64,
    /// Resolved with no hand-off to a person.
    pub resolved_without_human: Rate,
    /// Handed over to a person.
    pub transferred: Rate,
    /// Full-score (5★) ratings out of ratings.
    pub csat_full_score: Rate,
    /// Resolution without a person against the control (none for the control).
    pub resolution_vs_control: Option<Comparison>,
    /// Transfer rate against the control.
    pub transfer_vs_control: Option<Comparison>,
}

/// An experiment's results.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentResults {
    /// The experiment.
    pub experiment: String,
    /// Per variant, the control first.
    pub variants: Vec<VariantResult>,
    /// Events read.
    pub events_read: usize,
    /// The log was longer than one query reads; figures cover its beginning only.
    pub truncated: bool,
}

#[derive(Default)]
struct Seen {
    variant: Option<String>,
    resolved: bool,
    handed_off: bool,
    stars: Option<u8>,
}

impl<S: Store> Inbox<S> {
    /// Results of one experiment of the shop's knowledge base.
    pub async fn experiment_results(&self, shop: ShopId, experiment: &str) -> Result<ExperimentResults, CoreError> {
        let (_, kb) = self.knowledge_base(shop).await?;
        let e = kb.experiments.iter().find(|e| e.id == experiment).ok_or(CoreError::NotFound("experiment"))?;
        let mut seen: HashMap<ConversationId, Seen> = HashMap::new();
        let (read, truncated) = self
            .scan_log(shop, |ev| {
                let Some(c) = ev.conversation_id else { return };
                let s = seen.entry(c).or_default();
                match &ev.kind {
                    EventKind::ExperimentExposed { experiment: x, variant } if *x == e.id => s.variant = Some(variant.clone()),
                    EventKind::HandedOff { .. } | EventKind::ConversationAssigned { .. } => s.handed_off = true,
                    EventKind::ConversationResolved { .. } | EventKind::ConversationClosed { .. } => s.resolved = true,
                    EventKind::ConversationRated { stars, .. } => s.stars = Some(*stars),
                    _ => {}
                }
            })
            .await?;
        let mut variants: Vec<VariantResult> = e
            .variants
            .iter()
            .map(|v| VariantResult {
                variant: v.name.clone(),
                conversations: 0,
                resolved_without_human: Rate::default(),
                transferred: Rate::default(),
                csat_full_score: Rate::default(),
                resolution_vs_control: None,
                transfer_vs_control: None,
            })
            .collect();
        for s in seen.values() {
            let Some(r) = s.variant.as_ref().and_then(|name| variants.iter_mut().find(|v| &v.variant == name)) else { continue };
            r.conversations += 1;
            r.resolved_without_human.of += 1;
            r.resolved_without_human.hits += u64::from(s.resolved && !s.handed_off);
            r.transferred.of += 1;
            r.transferred.hits += u64::from(s.handed_off);
            if let Some(stars) = s.stars {
                r.csat_full_score.of += 1;
                r.csat_full_score.hits += u64::from(stars == 5);
            }
        }
        let control = variants.first().map(|c| (c.resolved_without_human, c.transferred));
        if let Some((resolution, transfer)) = control {
            for v in variants.iter_mut().skip(1) {
                v.resolution_vs_control = Some(compare(resolution, v.resolved_without_human));
                v.transfer_vs_control = Some(compare(transfer, v.transferred));
            }
        }
        Ok(ExperimentResults { experiment: e.id.clone(), variants, events_read: read, truncated })
    }

    /// Per-FAQ figures: how often the bot answered with it, in how many conversations the bot
    /// then resolved alone or handed over, and the customers' thumbs.
    pub async fn faq_figures(&self, shop: ShopId) -> Result<Vec<FaqFigures>, CoreError> {
        #[derive(Default)]
        struct Conv {
            faqs: Vec<String>,
            resolved: bool,
            handed_off: bool,
        }
        let mut convs: HashMap<ConversationId, Conv> = HashMap::new();
        let mut figures: HashMap<String, FaqFigures> = HashMap::new();
        self.scan_log(shop, |ev| {
            let Some(c) = ev.conversation_id else { return };
            match &ev.kind {
                EventKind::BotAnswered { faq_id, .. } => {
                    figure(&mut figures, faq_id).hits += 1;
                    let conv = convs.entry(c).or_default();
                    if !conv.faqs.contains(faq_id) {
                        conv.faqs.push(faq_id.clone());
                    }
                }
                EventKind::BotFeedback { faq_id, helpful } => {
                    let f = figure(&mut figures, faq_id);
                    if *helpful { f.thumbs_up += 1 } else { f.thumbs_down += 1 }
                }
                EventKind::HandedOff { .. } | EventKind::ConversationAssigned { .. } => convs.entry(c).or_default().handed_off = true,
                EventKind::ConversationResolved { .. } | EventKind::ConversationClosed { .. } => convs.entry(c).or_default().resolved = true,
                _ => {}
            }
        })
        .await?;
        for conv in convs.values() {
            for id in &conv.faqs {
                if let Some(f) = figures.get_mut(id) {
                    f.conversations += 1;
                    f.resolved_without_human += u64::from(conv.resolved && !conv.handed_off);
                    f.handed_off += u64::from(conv.handed_off);
                }
            }
        }
        let mut list: Vec<FaqFigures> = figures.into_values().collect();
        list.sort_by(|a, b| b.hits.cmp(&a.hits).then(a.faq_id.cmp(&b.faq_id)));
        Ok(list)
    }

    /// Visit a shop's events in log order (at most `SCAN_LIMIT`); returns how many were read and
    /// whether the log was longer.
    async fn scan_log(&self, shop: ShopId, mut visit: impl FnMut(&crate::event::Event)) -> Result<(usize, bool), CoreError> {
        let (mut after, mut read) = (0, 0);
        loop {
            let page = self.store.events(shop, after, PAGE).await?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            read += page.len();
            for (_, ev) in &page {
                visit(ev);
            }
            if read >= SCAN_LIMIT {
                return Ok((read, true));
            }
        }
        Ok((read, false))
    }
}

fn figure<'a>(figures: &'a mut HashMap<String, FaqFigures>, id: &str) -> &'a mut FaqFigures {
    figures.entry(id.to_string()).or_insert_with(|| FaqFigures { faq_id: id.to_string(), ..FaqFigures::default() })
}

/// What one FAQ did.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqFigures {
    /// The FAQ.
    pub faq_id: String,
    /// Answers given with it.
    pub hits: u64,
    /// Conversations it answered in.
    pub conversations: u64,
    /// Of those, resolved by the bot alone.
    pub resolved_without_human: u64,
    /// Of those, handed over to a person.
    pub handed_off: u64,
    /// Thumbs up.
    pub thumbs_up: u64,
    /// Thumbs down.
    pub thumbs_down: u64,
}
