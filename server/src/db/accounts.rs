//! The `accounts` table.

use super::conn::{Conn, Row, SqlError, params};
use super::{Account, Db, DbError, NewAccount, unix_now};

impl Db {
    /// Creates an account and returns its id once committed. Fails with
    /// [`DbError::AccountExists`] if the username is taken, compared case-insensitively.
    pub async fn create_account(&self, account: NewAccount) -> Result<i64, DbError> {
        self.call_durable(move |conn| create_account(conn, &account, unix_now()))
            .await
    }

    /// The account named `username` (case-insensitive), if any.
    pub async fn account_by_name(&self, username: &str) -> Result<Option<Account>, DbError> {
        let username = username.to_owned();
        self.call(move |conn| {
            Ok(conn.query_opt(
                "SELECT id, username, password_hash, real_name, location, email, computer, hdid,
                        created_at, last_login_at, created_ip, last_ip
                 FROM accounts WHERE username = ?1",
                params![username],
                account_from_row,
            )?)
        })
        .await
    }

    /// Replaces the account's password hash. [`DbError::NotFound`] if there is no such account.
    pub async fn set_password(
        &self,
        account_id: i64,
        password_hash: String,
    ) -> Result<(), DbError> {
        self.call_durable(move |conn| {
            let changed = conn.execute(
                "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
                params![password_hash, account_id],
            )?;
            if changed == 0 {
                return Err(DbError::NotFound);
            }
            Ok(())
        })
        .await
    }

    /// Records a successful login now from `ip`. [`DbError::NotFound`] if there is no such account.
    pub async fn touch_login(&self, account_id: i64, ip: &str) -> Result<(), DbError> {
        let ip = ip.to_owned();
        self.call(move |conn| {
            let changed = conn.execute(
                "UPDATE accounts SET last_login_at = ?1, last_ip = ?2 WHERE id = ?3",
                params![unix_now(), ip, account_id],
            )?;
            if changed == 0 {
                return Err(DbError::NotFound);
            }
            Ok(())
        })
        .await
    }
}

fn create_account(conn: &mut Conn, account: &NewAccount, now: i64) -> Result<i64, DbError> {
    let inserted = conn.query_value(
        "INSERT INTO accounts (username, password_hash, real_name, location, email, computer,
                               hdid, created_at, created_ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         RETURNING id",
        params![
            account.username,
            account.password_hash,
            account.real_name,
            account.location,
            account.email,
            account.computer,
            account.hdid,
            now,
            account.created_ip,
        ],
    );
    match inserted {
        Ok(id) => Ok(id),
        Err(error) if error.is_unique_violation() => Err(DbError::AccountExists),
        Err(error) => Err(error.into()),
    }
}

fn account_from_row(row: &Row<'_>) -> Result<Account, SqlError> {
    Ok(Account {
        id: row.get("id")?,
        username: row.get("username")?,
        password_hash: row.get("password_hash")?,
        real_name: row.get("real_name")?,
        location: row.get("location")?,
        email: row.get("email")?,
        computer: row.get("computer")?,
        hdid: row.get("hdid")?,
        created_at: row.get("created_at")?,
        last_login_at: row.get("last_login_at")?,
        created_ip: row.get("created_ip")?,
        last_ip: row.get("last_ip")?,
    })
}

#[cfg(test)]
mod tests {
    use crate::db::testing::*;
    use crate::db::*;

    fn new_account(name: &str) -> NewAccount {
        NewAccount {
            username: name.into(),
            password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            real_name: "Real Name".into(),
            location: "Somewhere".into(),
            email: "someone@example.com".into(),
            computer: "PC".into(),
            hdid: "123456789".into(),
            created_ip: "127.0.0.1".into(),
        }
    }

    async fn create_and_look_up(db: Db) {
        let before = unix_now();
        let id = db.create_account(new_account("Alice")).await.unwrap();
        let account = db.account_by_name("alice").await.unwrap().unwrap();
        let expected = new_account("Alice");
        assert_eq!(account.id, id);
        assert_eq!(account.username, "Alice");
        assert_eq!(account.password_hash, expected.password_hash);
        assert_eq!(account.real_name, expected.real_name);
        assert_eq!(account.location, expected.location);
        assert_eq!(account.email, expected.email);
        assert_eq!(account.computer, expected.computer);
        assert_eq!(account.hdid, expected.hdid);
        assert_eq!(account.created_ip, expected.created_ip);
        assert!(account.created_at >= before && account.created_at <= unix_now());
        assert_eq!(account.last_login_at, None);
        assert_eq!(account.last_ip, None);
        assert_eq!(db.account_by_name("bob").await, Ok(None));
        let second = db.create_account(new_account("bob")).await.unwrap();
        assert_ne!(second, id);
    }

    async fn duplicate_usernames_are_rejected_case_insensitively(db: Db) {
        db.create_account(new_account("alice")).await.unwrap();
        assert_eq!(
            db.create_account(new_account("alice")).await,
            Err(DbError::AccountExists)
        );
        assert_eq!(
            db.create_account(new_account("ALICE")).await,
            Err(DbError::AccountExists)
        );
        // The thread is fine after the failure.
        db.create_account(new_account("alice2")).await.unwrap();
    }

    async fn password_and_login_updates(db: Db) {
        let id = account(&db, "carol").await;
        db.set_password(id, "new-hash".into()).await.unwrap();
        db.touch_login(id, "10.0.0.7").await.unwrap();
        let account = db.account_by_name("carol").await.unwrap().unwrap();
        assert_eq!(account.password_hash, "new-hash");
        assert_eq!(account.last_ip.as_deref(), Some("10.0.0.7"));
        assert!(account.last_login_at.is_some());
        assert_eq!(
            db.set_password(id + 100, "x".into()).await,
            Err(DbError::NotFound)
        );
        assert_eq!(db.touch_login(id + 100, "x").await, Err(DbError::NotFound));
    }

    on_both_backends!(
        create_and_look_up,
        duplicate_usernames_are_rejected_case_insensitively,
        password_and_login_updates
    );
}
