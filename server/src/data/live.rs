//! The game data in force, which `remap` and `repub` replace while the server runs.
//!
//! Readers take the whole [`GameData`] with [`LiveData::get`] (an `Arc`) and read what they need
//! from that one copy: a swap never shows them the new maps with the old pub files, or half of
//! either. The map actors hold their own `Arc`, handed to each by the reload
//! (`crate::map::MapHandle::new_data`), so a map changes its data between two messages.

use std::sync::{Arc, RwLock};

use super::GameData;

/// The game data in force, and the lock that lets one reload run at a time.
#[derive(Debug)]
pub struct LiveData {
    current: RwLock<Arc<GameData>>,
    /// Held by a reload from reading the current data to putting its own in force, so two
    /// reloads (a `remap` of two maps at once) never build on the same old data and lose one.
    reloading: tokio::sync::Mutex<()>,
}

impl LiveData {
    pub fn new(data: Arc<GameData>) -> Self {
        LiveData {
            current: RwLock::new(data),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The data in force now.
    pub fn get(&self) -> Arc<GameData> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            // A panic while swapping cannot leave a half-written Arc: the value is whole.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `data` in force for every later [`Self::get`].
    pub fn replace(&self, data: Arc<GameData>) {
        let mut current = match self.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        *current = data;
    }

    /// Waits for any other reload to finish; the reload runs while the guard lives.
    pub async fn reloading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.reloading.lock().await
    }
}
