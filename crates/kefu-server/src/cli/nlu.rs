//! `kefu nlu …`: evaluate the language engine, analyse messages, query an FAQ table, and
//! rebuild the shipped default models. File reading lives here; the logic is in kefu-nlp.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use kefu_core::bot::{respond, Brain, DialogueState, Faq, KnowledgeBase, Turn};
use kefu_core::event::EventKind;
use kefu_nlp::eval::devset::{DevSet, SNACKS};
use kefu_nlp::eval::paraphrase::{BotReply, ParaphraseReport};
use kefu_nlp::eval::report::{run_eval, DatasetTexts, FILES};
use kefu_nlp::faq::{parse_faq_tsv, FaqConfig, FaqIndex};

/// Language-engine commands.
#[derive(clap::Subcommand, Debug)]
pub enum NluCommand {
    /// Evaluate on the public data sets and the paraphrase dev set; print a table (or one JSON object).
    Eval {
        /// Folder with the data sets.
        #[arg(long, default_value = "../shared/datasets")]
        data: PathBuf,
        /// Reduced run for CI.
        #[arg(long)]
        quick: bool,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Read one message per line on stdin, print one JSON analysis per line.
    Analyze,
    /// Answer questions from stdin with an FAQ table (TSV with a header).
    Faq {
        /// The FAQ table: faq_id, standard_question, optional similar_questions (|-separated), optional answer.
        #[arg(long)]
        faq: PathBuf,
        /// Suggestions per answer.
        #[arg(long, default_value_t = 3)]
        top: usize,
    },
    /// Retrain the default models and write them where the build embeds them.
    TrainDefault {
        /// Folder with the data sets (the review set is used when present).
        #[arg(long, default_value = "../shared/datasets")]
        data: PathBuf,
        /// Output file.
        #[arg(long, default_value = "crates/kefu-nlp/data/default_models.bin")]
        out: PathBuf,
    },
}

/// One output line of `kefu nlu analyze`: the text first, then the analysis.
#[derive(serde::Serialize)]
struct AnalyzedLine<'a> {
    text: &'a str,
    #[serde(flatten)]
    analysis: kefu_nlp::Analysis,
}

/// Runs one `kefu nlu` command.
pub fn run(cmd: NluCommand) -> anyhow::Result<()> {
    match cmd {
        NluCommand::Eval { data, quick, json } => {
            let mut texts = DatasetTexts::default();
            for (i, file) in FILES.iter().enumerate() {
                let text = std::fs::read_to_string(data.join(file)).ok();
                if text.is_none() {
                    eprintln!("note: {} not readable; its figures are left out", data.join(file).display());
                }
                texts.set(i, text);
            }
            let report = run_eval(&texts, quick)?;
            let paraphrase = paraphrase_report(&SNACKS.parse()?);
            let handoff = kefu_nlp::eval::handoff::engine_report(&kefu_nlp::eval::handoff::parse(kefu_nlp::eval::handoff::MESSAGES)?);
            if json {
                let mut value = serde_json::to_value(&report)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("paraphrase".into(), serde_json::to_value(&paraphrase)?);
                    object.insert("handoff".into(), serde_json::to_value(&handoff)?);
                }
                println!("{value}");
            } else {
                print!("{}{}{}", report.table(), paraphrase.table(), handoff.table());
            }
        }
        NluCommand::Analyze => {
            let mut out = std::io::stdout().lock();
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let analysis = kefu_nlp::analyze(&line);
                writeln!(out, "{}", serde_json::to_string(&AnalyzedLine { text: &line, analysis })?)?;
            }
        }
        NluCommand::Faq { faq, top } => {
            let table = std::fs::read_to_string(&faq).with_context(|| format!("reading {}", faq.display()))?;
            let index = FaqIndex::build(parse_faq_tsv(&table)?, FaqConfig::default());
            let mut out = std::io::stdout().lock();
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let a = index.search(&line, top);
                let v = serde_json::json!({ "text": line, "faq_id": a.faq_id, "score": a.score, "suggestions": a.suggestions });
                writeln!(out, "{v}")?;
            }
        }
        NluCommand::TrainDefault { data, out } => {
            let reviews = std::fs::read_to_string(data.join(FILES[5])).ok();
            let models = kefu_nlp::model::train_default(reviews.as_deref())?;
            let bytes = models.to_bytes();
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {} ({} bytes; review set used: {})", out.display(), bytes.len(), reviews.is_some());
        }
    }
    Ok(())
}

/// Scores the bot a merchant gets on a paraphrase dev set: a `Brain` trained from the set's FAQs
/// (standard question and answer, no similar questions, as a merchant starts), each question
/// the first message of a fresh conversation, answered by the same `respond` as in the inbox.
fn paraphrase_report(set: &DevSet) -> ParaphraseReport {
    let faqs = set.faqs.iter().map(|f| Faq { id: f.id.clone(), question: f.question.clone(), answer: f.answer.clone(), ..Faq::default() }).collect();
    let brain = Brain::train(1, KnowledgeBase { faqs, ..KnowledgeBase::default() }, &[]);
    let models = kefu_nlp::engine::default_models();
    let replies: Vec<BotReply> = set
        .questions
        .iter()
        .map(|q| {
            let normalised = kefu_nlp::normalise::normalise(&q.text);
            let analysis = kefu_nlp::engine::analyze_with(&models, Some(&brain.models), &q.text);
            let turn = Turn { text: &q.text, normalised: &normalised, analysis: &analysis, now: 0, customer: "devset" };
            let outcome = respond(&brain, &mut DialogueState::default(), &turn);
            // Every FAQ is Chinese and always live, so the ranking the bot filters is the index's.
            let ranked = analysis.faq.iter().flat_map(|f| &f.suggestions).map(|h| h.faq_id.clone()).collect();
            let index_answer = analysis.faq.as_ref().and_then(|f| f.faq_id.clone());
            let mut reply = BotReply { ranked, index_answer, ..BotReply::default() };
            for e in outcome.events {
                match e {
                    EventKind::BotAnswered { faq_id, .. } => reply.answered = Some(faq_id),
                    EventKind::BotSuggested { faq_ids } => reply.suggested = faq_ids,
                    _ => {}
                }
            }
            reply
        })
        .collect();
    ParaphraseReport::new(&set.name, set.faqs.len(), &set.questions, &replies)
}
