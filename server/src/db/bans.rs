//! The `bans` table: bans by account, by IP address, or both; temporary or permanent.
//!
//! An address ban on an IPv6 address bans its /64 (net/address.rs): it is stored as the /64's
//! first address, and a check matches a client by its /64 as well as by its exact address
//! (for bans stored before that rule).

use super::conn::{Row, SqlError, params};
use super::{Ban, Db, DbError, NewBan, unix_now};

const BAN_COLUMNS: &str = "id, account_id, ip, reason, banned_by, created_at, expires_at";

/// An address as given and as its group (its /64 for IPv6, itself otherwise); both the text
/// as given when it is not an address.
fn ip_forms(ip: &str) -> (String, String) {
    let group = ip
        .parse::<std::net::IpAddr>()
        .map(|ip| crate::net::address::address_group(ip).to_string())
        .unwrap_or_else(|_| ip.to_owned());
    (ip.to_owned(), group)
}

impl Db {
    /// Adds a ban and returns its id once committed. [`DbError::Invalid`] if it names neither
    /// an account nor an ip, [`DbError::NotFound`] if the account does not exist.
    pub async fn add_ban(&self, ban: NewBan) -> Result<i64, DbError> {
        if ban.account_id.is_none() && ban.ip.is_none() {
            return Err(DbError::Invalid(
                "a ban needs an account or an ip address".into(),
            ));
        }
        let ip = ban.ip.as_deref().map(|ip| ip_forms(ip).1);
        self.call_durable(move |conn| {
            let inserted = conn.query_value(
                "INSERT INTO bans (account_id, ip, reason, banned_by, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 RETURNING id",
                params![
                    ban.account_id,
                    ip,
                    ban.reason,
                    ban.banned_by,
                    unix_now(),
                    ban.expires_at,
                ],
            );
            match inserted {
                Ok(id) => Ok(id),
                Err(error) if error.is_foreign_key_violation() => Err(DbError::NotFound),
                Err(error) => Err(error.into()),
            }
        })
        .await
    }

    /// The ban in force at `now` (Unix seconds) on the account or the ip, if any. When several
    /// apply, a permanent one wins, then the one that ends last.
    pub async fn active_ban_for(
        &self,
        account_id: Option<i64>,
        ip: Option<&str>,
        now: i64,
    ) -> Result<Option<Ban>, DbError> {
        if account_id.is_none() && ip.is_none() {
            return Ok(None);
        }
        let (ip, group) = ip.map(ip_forms).unzip();
        self.call(move |conn| {
            Ok(conn.query_opt(
                &format!(
                    "SELECT {BAN_COLUMNS} FROM bans
                     WHERE (account_id = ?1 OR ip = ?2 OR ip = ?3)
                       AND (expires_at IS NULL OR expires_at > ?4)
                     ORDER BY expires_at IS NULL DESC, expires_at DESC, id DESC
                     LIMIT 1"
                ),
                params![account_id, ip, group, now],
                ban_from_row,
            )?)
        })
        .await
    }

    /// Removes every ban (expired or not) on the account and every ban on the ip; returns how
    /// many were removed.
    pub async fn remove_bans(
        &self,
        account_id: Option<i64>,
        ip: Option<&str>,
    ) -> Result<usize, DbError> {
        if account_id.is_none() && ip.is_none() {
            return Ok(0);
        }
        let (ip, group) = ip.map(ip_forms).unzip();
        self.call_durable(move |conn| {
            Ok(conn.execute(
                "DELETE FROM bans WHERE account_id = ?1 OR ip = ?2 OR ip = ?3",
                params![account_id, ip, group],
            )?)
        })
        .await
    }

    /// Every ban, expired ones included (see [`Ban::is_active`]), oldest first.
    pub async fn list_bans(&self) -> Result<Vec<Ban>, DbError> {
        self.call(|conn| {
            Ok(conn.query(
                &format!("SELECT {BAN_COLUMNS} FROM bans ORDER BY id"),
                params![],
                ban_from_row,
            )?)
        })
        .await
    }
}

fn ban_from_row(row: &Row<'_>) -> Result<Ban, SqlError> {
    Ok(Ban {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        ip: row.get("ip")?,
        reason: row.get("reason")?,
        banned_by: row.get("banned_by")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
    })
}

#[cfg(test)]
mod tests {
    use crate::db::conn::params;
    use crate::db::testing::*;
    use crate::db::*;

    fn ban(account_id: Option<i64>, ip: Option<&str>, expires_at: Option<i64>) -> NewBan {
        NewBan {
            account_id,
            ip: ip.map(str::to_owned),
            reason: "testing".into(),
            banned_by: "console".into(),
            expires_at,
        }
    }

    async fn temporary_bans_expire(db: Db) {
        let alice = account(&db, "alice").await;
        let now = unix_now();
        let id = db
            .add_ban(ban(Some(alice), None, Some(now + 3600)))
            .await
            .unwrap();
        let found = db
            .active_ban_for(Some(alice), Some("1.2.3.4"), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, id);
        assert_eq!(found.account_id, Some(alice));
        assert_eq!(found.ip, None);
        assert_eq!(found.reason, "testing");
        assert_eq!(found.banned_by, "console");
        assert_eq!(found.expires_at, Some(now + 3600));
        assert!(found.created_at >= now);
        assert!(found.is_active(now));
        assert!(!found.is_active(now + 3600));
        // At and after the expiry time it no longer applies.
        assert_eq!(
            db.active_ban_for(Some(alice), None, now + 3600).await,
            Ok(None)
        );
        assert_eq!(
            db.active_ban_for(Some(alice), None, now + 99_999).await,
            Ok(None)
        );
        // Another account is not banned.
        let bob = account(&db, "bob").await;
        assert_eq!(db.active_ban_for(Some(bob), None, now).await, Ok(None));
    }

    async fn permanent_bans_win(db: Db) {
        let alice = account(&db, "alice").await;
        let now = unix_now();
        db.add_ban(ban(Some(alice), None, Some(now + 60)))
            .await
            .unwrap();
        let permanent = db.add_ban(ban(Some(alice), None, None)).await.unwrap();
        db.add_ban(ban(Some(alice), None, Some(now + 7200)))
            .await
            .unwrap();
        for at in [now, now + 1_000_000_000] {
            let found = db.active_ban_for(Some(alice), None, at).await.unwrap();
            assert_eq!(found.map(|b| (b.id, b.expires_at)), Some((permanent, None)));
        }
    }

    async fn the_longest_temporary_ban_is_reported(db: Db) {
        let now = unix_now();
        db.add_ban(ban(None, Some("5.5.5.5"), Some(now + 60)))
            .await
            .unwrap();
        let long = db
            .add_ban(ban(None, Some("5.5.5.5"), Some(now + 600)))
            .await
            .unwrap();
        let found = db.active_ban_for(None, Some("5.5.5.5"), now).await.unwrap();
        assert_eq!(found.map(|b| b.id), Some(long));
    }

    async fn an_ipv6_ban_holds_its_whole_slash_64(db: Db) {
        let now = unix_now();
        db.add_ban(ban(None, Some("2001:db8:1:2::77"), None))
            .await
            .unwrap();
        for same in ["2001:db8:1:2::77", "2001:db8:1:2:ffff::1", "2001:db8:1:2::"] {
            let found = db.active_ban_for(None, Some(same), now).await.unwrap();
            assert_eq!(
                found.and_then(|b| b.ip).as_deref(),
                Some("2001:db8:1:2::"),
                "{same}"
            );
        }
        assert_eq!(
            db.active_ban_for(None, Some("2001:db8:1:3::77"), now).await,
            Ok(None)
        );
        // A ban stored by its exact address (before the /64 rule) still holds that address.
        db.call(|conn| {
            conn.execute(
                "INSERT INTO bans (ip, reason, banned_by, created_at) VALUES ('2001:db8:9::5', '', '', 0)",
                params![],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        assert!(
            db.active_ban_for(None, Some("2001:db8:9::5"), now)
                .await
                .unwrap()
                .is_some()
        );
        // Lifting a ban by any address of the /64 lifts it.
        assert_eq!(db.remove_bans(None, Some("2001:db8:1:2::9")).await, Ok(1));
        assert_eq!(
            db.active_ban_for(None, Some("2001:db8:1:2::77"), now).await,
            Ok(None)
        );
    }

    async fn bans_by_ip(db: Db) {
        let alice = account(&db, "alice").await;
        let now = unix_now();
        let id = db.add_ban(ban(None, Some("10.1.2.3"), None)).await.unwrap();
        let found = db
            .active_ban_for(Some(alice), Some("10.1.2.3"), now)
            .await
            .unwrap();
        assert_eq!(found.map(|b| b.id), Some(id));
        assert_eq!(
            db.active_ban_for(None, Some("10.1.2.3"), now)
                .await
                .unwrap()
                .map(|b| b.ip),
            Some(Some("10.1.2.3".into()))
        );
        assert_eq!(db.active_ban_for(Some(alice), None, now).await, Ok(None));
        assert_eq!(
            db.active_ban_for(None, Some("10.1.2.4"), now).await,
            Ok(None)
        );
        assert_eq!(db.active_ban_for(None, None, now).await, Ok(None));
    }

    async fn removal_and_listing(db: Db) {
        let alice = account(&db, "alice").await;
        let bob = account(&db, "bob").await;
        let now = unix_now();
        let a1 = db.add_ban(ban(Some(alice), None, None)).await.unwrap();
        let a2 = db
            .add_ban(ban(Some(alice), None, Some(now - 10)))
            .await
            .unwrap();
        let b1 = db.add_ban(ban(Some(bob), None, None)).await.unwrap();
        let ip = db.add_ban(ban(None, Some("9.9.9.9"), None)).await.unwrap();

        let ids: Vec<i64> = db.list_bans().await.unwrap().iter().map(|b| b.id).collect();
        assert_eq!(ids, [a1, a2, b1, ip]);
        let active: Vec<i64> = db
            .list_bans()
            .await
            .unwrap()
            .iter()
            .filter(|b| b.is_active(now))
            .map(|b| b.id)
            .collect();
        assert_eq!(active, [a1, b1, ip]);

        assert_eq!(db.remove_bans(Some(alice), None).await, Ok(2));
        assert_eq!(db.active_ban_for(Some(alice), None, now).await, Ok(None));
        assert_eq!(db.remove_bans(None, Some("9.9.9.9")).await, Ok(1));
        assert_eq!(
            db.active_ban_for(None, Some("9.9.9.9"), now).await,
            Ok(None)
        );
        assert_eq!(db.remove_bans(None, Some("9.9.9.9")).await, Ok(0));
        assert_eq!(db.remove_bans(None, None).await, Ok(0));
        let left: Vec<i64> = db.list_bans().await.unwrap().iter().map(|b| b.id).collect();
        assert_eq!(left, [b1]);
    }

    async fn invalid_bans_are_refused(db: Db) {
        assert!(matches!(
            db.add_ban(ban(None, None, None)).await,
            Err(DbError::Invalid(_))
        ));
        assert_eq!(
            db.add_ban(ban(Some(12345), None, None)).await,
            Err(DbError::NotFound)
        );
    }

    async fn deleting_an_account_removes_its_bans(db: Db) {
        let alice = account(&db, "alice").await;
        db.add_ban(ban(Some(alice), None, None)).await.unwrap();
        db.call(move |conn| {
            conn.execute("DELETE FROM accounts WHERE id = ?1", params![alice])?;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(db.list_bans().await, Ok(Vec::new()));
    }

    on_both_backends!(
        temporary_bans_expire,
        permanent_bans_win,
        the_longest_temporary_ban_is_reported,
        an_ipv6_ban_holds_its_whole_slash_64,
        bans_by_ip,
        removal_and_listing,
        invalid_bans_are_refused,
        deleting_an_account_removes_its_bans,
    );
}
