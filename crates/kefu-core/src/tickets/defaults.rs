//! The default departments and workflows, from how the platform runs them. A shop starts with
//! these and edits them.

use super::sla::{Escalation, EscalationAction, SlaTarget, SlaTargets};
use super::workflow::{CustomerAnswer, Notify, StateDef, TransitionDef, Workflow};
use super::{Department, Priority};
use crate::ids::{DepartmentId, ShopId};
use crate::shop::Role;
use std::collections::BTreeMap;

/// Department keys and names: 客服, 法务, 技术, 供应链, 管理层.
pub const DEPARTMENTS: [(&str, &str); 5] =
    [("service", "客服"), ("legal", "法务"), ("tech", "技术"), ("supply_chain", "供应链"), ("management", "管理层")];

/// The default departments of a shop, without members.
pub fn departments(shop_id: ShopId) -> Vec<Department> {
    DEPARTMENTS
        .iter()
        .map(|(key, name)| Department { id: DepartmentId::new(), shop_id, key: (*key).into(), name: (*name).into(), members: vec![] })
        .collect()
}

/// 投诉, 技术故障 and 紧急事件.
pub fn workflows() -> Vec<Workflow> {
    vec![complaint(), technical_fault(), emergency()]
}

fn state(key: &str, name: &str, department: Option<&str>) -> StateDef {
    StateDef { key: key.into(), name: name.into(), terminal: false, pauses_sla: false, awaits_customer: false, department: department.map(Into::into) }
}

fn asks_customer(mut s: StateDef) -> StateDef {
    s.awaits_customer = true;
    s.pauses_sla = true;
    s
}

fn closed() -> StateDef {
    StateDef { terminal: true, ..state("closed", "已关闭", None) }
}

fn step(from: &str, to: &str, name: &str, departments: &[&str], notify: &[Notify]) -> TransitionDef {
    TransitionDef {
        from: from.into(),
        to: to.into(),
        name: name.into(),
        departments: departments.iter().map(|d| (*d).into()).collect(),
        roles: vec![],
        by_customer: None,
        notify: notify.to_vec(),
    }
}

fn answered(mut t: TransitionDef, answer: CustomerAnswer) -> TransitionDef {
    t.by_customer = Some(answer);
    t
}

/// Targets for each priority from the normal one, tighter as priority rises.
fn sla_ladder(first_response: i64, resolution: i64, warn: i64, escalations: Vec<Escalation>) -> BTreeMap<Priority, SlaTargets> {
    [(Priority::Low, 2), (Priority::Normal, 1), (Priority::High, -2), (Priority::Urgent, -4)]
        .into_iter()
        .map(|(p, factor)| {
            let scale = |m: i64| if factor > 0 { m * factor } else { (m / -factor).max(5) };
            let targets = SlaTargets {
                first_response_minutes: scale(first_response),
                next_response_minutes: Some(scale(first_response)),
                resolution_minutes: scale(resolution),
                warn_before_minutes: scale(warn).min(scale(first_response) / 2),
                escalations: escalations.clone(),
            };
            (p, targets)
        })
        .collect()
}

fn complaint() -> Workflow {
    use Notify::*;
    Workflow {
        ticket_type: "complaint".into(),
        name: "投诉".into(),
        initial: "record".into(),
        states: vec![
            state("record", "客服记录", Some("service")),
            state("legal_review", "法务审核", Some("legal")),
            state("solution_feedback", "解决方案反馈", Some("service")),
            asks_customer(state("customer_confirmation", "用户确认", Some("service"))),
            closed(),
        ],
        transitions: vec![
            step("record", "legal_review", "提交法务审核", &["service"], &[Department]),
            step("legal_review", "record", "退回补充材料", &["legal"], &[Department]),
            step("legal_review", "solution_feedback", "给出解决方案", &["legal"], &[Department, Assignee]),
            step("solution_feedback", "customer_confirmation", "请用户确认", &["service"], &[Customer]),
            answered(step("customer_confirmation", "closed", "用户确认解决", &["service"], &[Customer, Assignee]), CustomerAnswer::Confirms),
            answered(step("customer_confirmation", "legal_review", "用户不满意，重新审核", &["service"], &[Department, Supervisors]), CustomerAnswer::Rejects),
        ],
        fast_lane: false,
        sla: sla_ladder(
            60,
            3 * 9 * 60,
            30,
            vec![
                Escalation { on: SlaTarget::Resolution, after_minutes: 0, action: EscalationAction::NotifyManager },
                Escalation { on: SlaTarget::Resolution, after_minutes: 60, action: EscalationAction::RaisePriority },
            ],
        ),
        business_hours: true,
    }
}

fn technical_fault() -> Workflow {
    use Notify::*;
    Workflow {
        ticket_type: "technical_fault".into(),
        name: "技术故障".into(),
        initial: "accepted".into(),
        states: vec![
            state("accepted", "客服受理", Some("service")),
            state("investigation", "技术排查", Some("tech")),
            state("fix_notice", "修复通知", Some("service")),
            asks_customer(state("follow_up", "回访验证", Some("service"))),
            closed(),
        ],
        transitions: vec![
            step("accepted", "investigation", "转技术排查", &["service"], &[Department]),
            step("investigation", "accepted", "需要更多信息", &["tech"], &[Department]),
            step("investigation", "fix_notice", "已修复", &["tech"], &[Department]),
            step("fix_notice", "follow_up", "通知用户并回访", &["service"], &[Customer]),
            answered(step("follow_up", "closed", "用户确认已修复", &["service"], &[Customer]), CustomerAnswer::Confirms),
            answered(step("follow_up", "investigation", "仍未修复", &["service"], &[Department]), CustomerAnswer::Rejects),
        ],
        fast_lane: false,
        sla: sla_ladder(
            120,
            2 * 9 * 60,
            60,
            vec![Escalation { on: SlaTarget::FirstResponse, after_minutes: 0, action: EscalationAction::NotifyManager }],
        ),
        business_hours: true,
    }
}

fn emergency() -> Workflow {
    use Notify::*;
    let managers = |mut t: TransitionDef| {
        t.departments = vec!["management".into()];
        t.roles = vec![Role::Supervisor];
        t
    };
    Workflow {
        ticket_type: "emergency".into(),
        name: "紧急事件".into(),
        initial: "escalated".into(),
        states: vec![
            state("escalated", "升级至管理层", Some("management")),
            state("contingency", "启动应急预案", Some("management")),
            state("all_hands", "全员协同处理", Some("management")),
            state("review", "复盘", Some("management")),
            closed(),
        ],
        transitions: vec![
            managers(step("escalated", "contingency", "启动应急预案", &[], &[Supervisors, Department])),
            managers(step("contingency", "all_hands", "全员协同", &[], &[Supervisors, Department, Customer])),
            managers(step("all_hands", "review", "进入复盘", &[], &[Supervisors])),
            managers(step("review", "closed", "复盘完成", &[], &[Supervisors])),
        ],
        fast_lane: true,
        sla: sla_ladder(
            15,
            240,
            5,
            vec![
                Escalation { on: SlaTarget::FirstResponse, after_minutes: 0, action: EscalationAction::NotifyManager },
                Escalation { on: SlaTarget::Resolution, after_minutes: 0, action: EscalationAction::NotifyManager },
            ],
        ),
        business_hours: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        for wf in workflows() {
            wf.validate().unwrap_or_else(|e| panic!("{}: {e}", wf.ticket_type));
            assert_eq!(wf.sla.len(), 4);
        }
    }

    #[test]
    fn broken_workflows_are_refused() {
        let mut wf = complaint();
        wf.states.push(state("orphan", "孤立", None));
        assert!(wf.validate().unwrap_err().to_string().contains("cannot be reached"));

        let mut wf = complaint();
        wf.states.retain(|s| !s.terminal);
        wf.transitions.retain(|t| t.to != "closed");
        assert!(wf.validate().unwrap_err().to_string().contains("no terminal state"));

        // A dead end: closed stays reachable from the start, but not from 用户确认.
        let mut wf = complaint();
        wf.transitions.retain(|t| t.from != "customer_confirmation");
        wf.transitions.push(step("record", "closed", "直接关闭", &[], &[]));
        assert!(wf.validate().unwrap_err().to_string().contains("no terminal state can be reached from \"solution_feedback\""));

        let mut wf = complaint();
        wf.transitions.push(step("record", "nowhere", "x", &[], &[]));
        assert!(wf.validate().unwrap_err().to_string().contains("unknown state"));

        let mut wf = complaint();
        wf.initial = "missing".into();
        assert!(wf.validate().is_err());
    }

    #[test]
    fn a_customer_is_told_a_built_in_status_in_their_language_and_a_renamed_one_as_written() {
        use kefu_i18n::Lang;
        for wf in workflows() {
            for st in &wf.states {
                assert_eq!(st.name_in(Lang::ZhCn), st.name, "{}: the Chinese catalogue names the default as the workflow does", st.key);
                let english = st.name_in(Lang::En);
                assert!(english.is_ascii() && !english.is_empty(), "{}: {english}", st.key);
            }
        }
        let renamed = state("record", "等我们看看", None);
        assert_eq!(renamed.name_in(Lang::En), "等我们看看");
    }
}
