//! 一案一档: what the file (dossier) of a matter must hold to be complete
//! (DOMAIN.md "Forms", "archiving", and the reward rule "incomplete → no
//! reward"): the 代办单 with the agent named, a 处置单 for each unit the
//! matter was transferred to with that unit's answer, and — once closed —
//! the result, the citizen's opinion and the follow-up record.

use serde::{Deserialize, Serialize};

/// One transfer (流转) of the matter, and what its 处置单 holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferFacts {
    pub unit: String,
    /// A 处置单 was written for it.
    pub disposition: bool,
    /// The unit answered (处理结果 on the 处置单).
    pub replied: bool,
}

/// What the dossier of a matter has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFacts {
    /// The matter was closed (办结) and the citizen told.
    pub closed: bool,
    /// An agent is named on the 代办单.
    pub agent_assigned: bool,
    pub transfers: Vec<TransferFacts>,
    /// 处理结果 (代理结果) recorded.
    pub result: bool,
    /// 信访人意见 recorded.
    pub opinion: bool,
    /// A follow-up (终结回访) recorded.
    pub follow_up: bool,
}

/// The materials a complete dossier still lacks, in Chinese, in the order
/// of the five stages. Empty: the dossier is complete.
pub fn missing_materials(f: &DossierFacts) -> Vec<String> {
    let mut missing = Vec::new();
    if !f.agent_assigned {
        missing.push("代办单：未确定代办员".to_string());
    }
    for t in &f.transfers {
        if !t.disposition {
            missing.push(format!("处置单：交{}办理的处置单", t.unit));
        } else if !t.replied {
            missing.push(format!("处置单：{}的处理结果", t.unit));
        }
    }
    if !f.closed {
        missing.push("事项尚未办结".to_string());
    }
    if !f.result {
        missing.push("处理结果".to_string());
    }
    if !f.opinion {
        missing.push("信访人意见".to_string());
    }
    if !f.follow_up {
        missing.push("终结回访记录".to_string());
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_matter_needs_every_material() {
        let complete = DossierFacts {
            closed: true,
            agent_assigned: true,
            transfers: vec![TransferFacts { unit: "自然资源局".into(), disposition: true, replied: true }],
            result: true,
            opinion: true,
            follow_up: true,
        };
        assert!(missing_materials(&complete).is_empty());
        let unanswered = DossierFacts {
            transfers: vec![
                TransferFacts { unit: "自然资源局".into(), disposition: true, replied: false },
                TransferFacts { unit: "执法局".into(), disposition: false, replied: false },
            ],
            follow_up: false,
            ..complete.clone()
        };
        assert_eq!(
            missing_materials(&unanswered),
            ["处置单：自然资源局的处理结果", "处置单：交执法局办理的处置单", "终结回访记录"]
        );
        let open = DossierFacts { agent_assigned: true, ..Default::default() };
        assert_eq!(missing_materials(&open), ["事项尚未办结", "处理结果", "信访人意见", "终结回访记录"]);
    }
}
