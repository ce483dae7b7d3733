//! Shops: what each shop NPC (ENF type Shop) sells, buys back and crafts, keyed by the NPC's
//! ENF `behavior_id`. Read at start-up from the world's `pub/` folder:
//!
//! - `dts001.esf`, the standard server pub file (ShopFile, "ESF", of the protocol spec);
//!   `eo-worldgen` writes it from `shops.toml`;
//! - `serv_shops.epf`, the official server's file, as reoserv reads it (see
//!   [`super::record_file`] for how its layout differs).
//!
//! Either, both or neither may be there (no shops). A behavior id in both must have the same
//! record in both. Every record is checked against the item and class files; a bad one stops
//! start-up naming the file and the record.

use std::collections::HashMap;
use std::path::Path;

use eo_protocol::pubs::server::{
    ShopCraftIngredientRecord, ShopCraftRecord, ShopRecord, ShopTradeRecord,
};
use eo_protocol::pubs::{Ecf, Eif};

use super::record_file::{self, Fields, Layout, Read, real_records};
use super::{DataError, GOLD};

/// The standard shop file, in `pub/`.
pub const SHOP_FILE: &str = "dts001.esf";
/// The official server's shop file, in `pub/`.
pub const EPF_SHOP_FILE: &str = "serv_shops.epf";
const MAGIC: &[u8; 3] = b"ESF";
/// A craft lists four ingredient slots (an unused one is item 0).
const INGREDIENT_SLOTS: usize = 4;

/// Every shop, by the behavior id of the NPCs that keep it.
#[derive(Debug, Clone, Default)]
pub struct Shops {
    by_behavior: HashMap<u16, ShopRecord>,
}

impl Shops {
    /// Reads and checks the shop files in `pub_dir` (see the module documentation).
    pub fn load(pub_dir: &Path, items: &Eif, classes: &Ecf) -> Result<Shops, DataError> {
        let mut all = Vec::new();
        for (name, layout) in [(SHOP_FILE, Layout::Standard), (EPF_SHOP_FILE, Layout::Epf)] {
            let path = pub_dir.join(name);
            if let Some(read) = record_file::read(&path, layout, MAGIC, read_shop)? {
                all.extend(read);
            }
        }
        let limits = Limits {
            items: real_records(items.items.len()),
            classes: real_records(classes.classes.len()),
        };
        for read in &all {
            check(read, &limits)?;
        }
        let by_behavior = record_file::by_key(all, |s| s.behavior_id, describe)?;
        Ok(Shops { by_behavior })
    }

    /// The shop kept by NPCs of `behavior_id`.
    pub fn get(&self, behavior_id: u16) -> Option<&ShopRecord> {
        self.by_behavior.get(&behavior_id)
    }

    pub fn len(&self) -> usize {
        self.by_behavior.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_behavior.is_empty()
    }
}

/// Whether a character of `level` and `class` may use `shop` (0 = no limit).
pub fn serves(shop: &ShopRecord, level: u8, class: u8) -> bool {
    level >= shop.min_level
        && (shop.max_level == 0 || level <= shop.max_level)
        && (shop.class_requirement == 0 || class == shop.class_requirement)
}

fn describe(shop: &ShopRecord) -> String {
    format!("behavior id {}, {:?}", shop.behavior_id, shop.name)
}

fn read_shop(f: &mut Fields<'_>) -> Result<ShopRecord, String> {
    let behavior_id = f.short();
    let name = f.string();
    let min_level = f.level("min_level")?;
    let max_level = f.level("max_level")?;
    let class_requirement = f.char();
    let trades = usize::from(f.short());
    let crafts = usize::from(f.char());
    let trades = (0..trades)
        .map(|_| ShopTradeRecord {
            item_id: f.short(),
            buy_price: f.three(),
            sell_price: f.three(),
            max_amount: f.char(),
        })
        .collect();
    let crafts = (0..crafts)
        .map(|_| ShopCraftRecord {
            item_id: f.short(),
            ingredients: (0..INGREDIENT_SLOTS)
                .map(|_| ShopCraftIngredientRecord {
                    item_id: f.short(),
                    amount: f.char(),
                })
                .collect(),
        })
        .collect();
    Ok(ShopRecord {
        behavior_id,
        name,
        min_level,
        max_level,
        class_requirement,
        trades,
        crafts,
    })
}

/// The real records of the item and class files.
struct Limits {
    items: usize,
    classes: usize,
}

impl Limits {
    fn item(&self, id: u16, what: &str) -> Result<(), String> {
        if id == 0 || usize::from(id) > self.items {
            return Err(format!(
                "{what}: item {id} does not exist (the item file has 1 to {})",
                self.items
            ));
        }
        if id == GOLD {
            return Err(format!("{what}: item {GOLD} is the gold itself"));
        }
        Ok(())
    }
}

/// Checks one shop against the item and class files and against making something from
/// nothing; the error names the file and the record.
fn check(read: &Read<ShopRecord>, limits: &Limits) -> Result<(), DataError> {
    let shop = &read.record;
    let fail = |why: String| DataError {
        path: read.path.clone(),
        problem: format!("record {} ({}): {why}", read.number, describe(shop)),
    };
    if shop.max_level != 0 && shop.min_level > shop.max_level {
        return Err(fail(format!(
            "min_level {} is above max_level {}",
            shop.min_level, shop.max_level
        )));
    }
    let class = usize::from(shop.class_requirement);
    if class > limits.classes {
        return Err(fail(format!(
            "class {class} does not exist (the class file has 1 to {})",
            limits.classes
        )));
    }
    for (n, trade) in shop.trades.iter().enumerate() {
        let what = format!("trade {}", n + 1);
        limits.item(trade.item_id, &what).map_err(&fail)?;
        if trade.buy_price > 0 && trade.sell_price > trade.buy_price {
            // Buying and selling back would make gold from nothing.
            return Err(fail(format!(
                "{what}: item {} is bought back for {}, more than its price {}",
                trade.item_id, trade.sell_price, trade.buy_price
            )));
        }
    }
    for (n, craft) in shop.crafts.iter().enumerate() {
        let what = format!("craft {}", n + 1);
        limits.item(craft.item_id, &what).map_err(&fail)?;
        let mut used = 0;
        for ingredient in &craft.ingredients {
            if ingredient.item_id == 0 {
                continue;
            }
            limits
                .item(ingredient.item_id, &format!("{what}, an ingredient"))
                .map_err(&fail)?;
            if ingredient.amount == 0 {
                return Err(fail(format!(
                    "{what}: ingredient item {} has amount 0",
                    ingredient.item_id
                )));
            }
            used += 1;
        }
        if used == 0 {
            return Err(fail(format!(
                "{what}: item {} has no ingredients (it would be made from nothing)",
                craft.item_id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::EoSerialize;
    use eo_protocol::pubs::server::ShopFile;

    fn bundled() -> (Eif, Ecf) {
        let data = super::super::GameData::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world"),
        )
        .unwrap();
        (data.items.data.clone(), data.classes.data.clone())
    }

    fn trade(item_id: u16, buy_price: u32, sell_price: u32) -> ShopTradeRecord {
        ShopTradeRecord {
            item_id,
            buy_price,
            sell_price,
            max_amount: 10,
        }
    }

    fn craft(item_id: u16, ingredients: &[(u16, u8)]) -> ShopCraftRecord {
        let mut all: Vec<_> = ingredients
            .iter()
            .map(|&(item_id, amount)| ShopCraftIngredientRecord { item_id, amount })
            .collect();
        all.resize(INGREDIENT_SLOTS, ShopCraftIngredientRecord::default());
        ShopCraftRecord {
            item_id,
            ingredients: all,
        }
    }

    fn shop(behavior_id: u16) -> ShopRecord {
        ShopRecord {
            behavior_id,
            name: "Stall".into(),
            min_level: 0,
            max_level: 0,
            class_requirement: 0,
            trades: vec![trade(10, 30, 12)],
            crafts: vec![craft(20, &[(7, 1), (10, 2)])],
        }
    }

    fn write_standard(dir: &Path, shops: Vec<ShopRecord>) {
        let bytes = ShopFile { shops }.to_bytes().unwrap();
        std::fs::write(dir.join(SHOP_FILE), bytes).unwrap();
    }

    /// The official layout: rid, count and a char, then records with short levels.
    fn write_epf(dir: &Path, shops: &[ShopRecord]) {
        let mut w = eo_protocol::EoWriter::new();
        w.add_string("ESF");
        w.add_short(0).unwrap();
        w.add_short(0).unwrap();
        w.add_short(shops.len() as u16).unwrap();
        w.add_char(0).unwrap();
        for s in shops {
            w.add_short(s.behavior_id).unwrap();
            w.add_char(s.name.len() as u8).unwrap();
            w.add_string(&s.name);
            w.add_short(u16::from(s.min_level)).unwrap();
            w.add_short(u16::from(s.max_level)).unwrap();
            w.add_char(s.class_requirement).unwrap();
            w.add_short(s.trades.len() as u16).unwrap();
            w.add_char(s.crafts.len() as u8).unwrap();
            for t in &s.trades {
                t.serialize(&mut w).unwrap();
            }
            for c in &s.crafts {
                c.serialize(&mut w).unwrap();
            }
        }
        std::fs::write(dir.join(EPF_SHOP_FILE), w.into_inner()).unwrap();
    }

    #[test]
    fn both_layouts_load_and_agree() {
        let (items, classes) = bundled();
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Shops::load(dir.path(), &items, &classes)
                .unwrap()
                .is_empty()
        );
        write_standard(dir.path(), vec![shop(1), shop(2)]);
        let mut levelled = shop(3);
        levelled.min_level = 5;
        levelled.max_level = 200;
        write_epf(dir.path(), &[shop(2), levelled.clone()]);
        let shops = Shops::load(dir.path(), &items, &classes).unwrap();
        assert_eq!(shops.len(), 3);
        assert_eq!(shops.get(1), Some(&shop(1)));
        assert_eq!(shops.get(3), Some(&levelled));
        assert_eq!(shops.get(4), None);
        // The same behavior id defined differently in the two files.
        let mut other = shop(2);
        other.name = "Other".into();
        write_epf(dir.path(), &[other]);
        let error = Shops::load(dir.path(), &items, &classes)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(EPF_SHOP_FILE) && error.contains(SHOP_FILE),
            "{error}"
        );
    }

    #[test]
    fn a_bad_record_is_refused_naming_the_file_and_record() {
        let (items, classes) = bundled();
        let cases: [(ShopRecord, &str); 8] = [
            (
                ShopRecord {
                    trades: vec![trade(999, 1, 1)],
                    ..shop(1)
                },
                "item 999 does not exist",
            ),
            (
                ShopRecord {
                    trades: vec![trade(1, 1, 1)],
                    ..shop(1)
                },
                "the gold itself",
            ),
            (
                ShopRecord {
                    trades: vec![trade(10, 5, 6)],
                    ..shop(1)
                },
                "bought back for 6",
            ),
            (
                ShopRecord {
                    crafts: vec![craft(20, &[])],
                    ..shop(1)
                },
                "no ingredients",
            ),
            (
                ShopRecord {
                    crafts: vec![craft(20, &[(500, 1)])],
                    ..shop(1)
                },
                "item 500 does not exist",
            ),
            (
                ShopRecord {
                    crafts: vec![craft(20, &[(7, 0)])],
                    ..shop(1)
                },
                "amount 0",
            ),
            (
                ShopRecord {
                    class_requirement: 9,
                    ..shop(1)
                },
                "class 9 does not exist",
            ),
            (
                ShopRecord {
                    min_level: 9,
                    max_level: 3,
                    ..shop(1)
                },
                "min_level 9 is above max_level 3",
            ),
        ];
        for (bad, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            write_standard(dir.path(), vec![shop(7), bad]);
            let error = Shops::load(dir.path(), &items, &classes)
                .unwrap_err()
                .to_string();
            assert!(error.contains(SHOP_FILE), "{error}");
            assert!(error.contains("record 2 (behavior id 1"), "{error}");
            assert!(error.contains(expected), "{expected}: {error}");
        }
        // The same behavior id twice in one file.
        let dir = tempfile::tempdir().unwrap();
        write_standard(dir.path(), vec![shop(1), shop(2), shop(1)]);
        let error = Shops::load(dir.path(), &items, &classes)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("record 3 (behavior id 1") && error.contains("of record 1"),
            "{error}"
        );
    }

    #[test]
    fn the_level_and_class_limits_apply() {
        let mut limited = shop(1);
        assert!(serves(&limited, 0, 0));
        limited.min_level = 2;
        limited.max_level = 4;
        limited.class_requirement = 3;
        assert!(!serves(&limited, 1, 3));
        assert!(serves(&limited, 2, 3) && serves(&limited, 4, 3));
        assert!(!serves(&limited, 5, 3));
        assert!(!serves(&limited, 3, 2));
    }
}
