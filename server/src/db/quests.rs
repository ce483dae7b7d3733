//! A character's EO+ quest progress (`character_quests`, one row per quest it started): loaded
//! with the character and replaced whole by each save, in the save's transaction.

use super::QuestProgress;
use super::conn::{Conn, SqlError, Value, params};

/// The character's quest rows, by quest id.
pub(super) fn load(conn: &mut Conn, character_id: i64) -> Result<Vec<QuestProgress>, SqlError> {
    conn.query(
        "SELECT quest_id, state, counters, roll, daily_day, daily_count, completions
         FROM character_quests WHERE character_id = ?1 ORDER BY quest_id",
        params![character_id],
        |row| {
            let counters: String = row.get(2)?;
            Ok(QuestProgress {
                quest_id: row.get(0)?,
                state: row.get(1)?,
                counters: parse_counters(&counters),
                roll: row.get(3)?,
                daily_day: row.get(4)?,
                daily_count: row.get(5)?,
                completions: row.get(6)?,
            })
        },
    )
}

/// Replaces the character's quest rows with `quests`.
pub(super) fn replace(
    tx: &mut Conn,
    character_id: i64,
    quests: &[QuestProgress],
) -> Result<(), SqlError> {
    tx.execute(
        "DELETE FROM character_quests WHERE character_id = ?1",
        params![character_id],
    )?;
    let counters: Vec<String> = quests
        .iter()
        .map(|q| format_counters(&q.counters))
        .collect();
    tx.execute_each(
        "INSERT INTO character_quests
         (character_id, quest_id, state, counters, roll, daily_day, daily_count, completions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        quests.iter().zip(&counters).map(|(q, counters)| {
            [
                Value::Int(character_id),
                Value::Int(i64::from(q.quest_id)),
                Value::Text(&q.state),
                Value::Text(counters),
                Value::Int(i64::from(q.roll)),
                Value::Int(i64::from(q.daily_day)),
                Value::Int(i64::from(q.daily_count)),
                Value::Int(i64::from(q.completions)),
            ]
        }),
    )
}

/// `key=count,key=count`: keys are made by the engine (`npc/3`), never by players.
fn format_counters(counters: &[(String, u32)]) -> String {
    counters
        .iter()
        .map(|(key, count)| format!("{key}={count}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The counters of a row; a malformed entry (never written by this server) is dropped.
fn parse_counters(text: &str) -> Vec<(String, u32)> {
    text.split(',')
        .filter_map(|entry| {
            let (key, count) = entry.split_once('=')?;
            Some((key.to_owned(), count.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_round_trip() {
        let counters = vec![("npc/3".to_owned(), 2), ("players".to_owned(), 0)];
        assert_eq!(parse_counters(&format_counters(&counters)), counters);
        assert!(parse_counters("").is_empty());
        assert_eq!(
            parse_counters("bad,npc/1=x,item/2=5"),
            [("item/2".to_owned(), 5)]
        );
    }
}
