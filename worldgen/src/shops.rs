//! `shops.toml` → `pub/dts001.esf`: the shops kept by NPCs of type Shop, keyed by their
//! `behavior_id` (the server pub file ShopFile of the protocol spec; it has no rid, clients
//! never download it). No source, no file.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use eo_protocol::EoSerialize;
use eo_protocol::pubs::NpcType;
use eo_protocol::pubs::server::{
    ShopCraftIngredientRecord, ShopCraftRecord, ShopFile, ShopRecord, ShopTradeRecord,
};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, SourceFile};
use crate::pubs::{Pubs, check_text};

/// The source, in the source folder.
pub(crate) const SOURCE: &str = "shops.toml";
/// The built file, in the output folder.
pub(crate) const OUTPUT: &str = "pub/dts001.esf";
/// Gold: a shop trades items for it, never it for itself.
const GOLD: u16 = 1;
/// A craft has four ingredient slots.
const INGREDIENT_SLOTS: usize = 4;
/// The largest EO char: caps and amounts.
const MAX_CHAR: u8 = 252;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopsFile {
    #[serde(default)]
    shop: Vec<Spanned<ShopSrc>>,
}

/// One `[[shop]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopSrc {
    behavior_id: u16,
    name: String,
    #[serde(default)]
    min_level: u8,
    #[serde(default)]
    max_level: u8,
    #[serde(default)]
    class_req: u8,
    #[serde(default)]
    trade: Vec<Spanned<TradeSrc>>,
    #[serde(default)]
    craft: Vec<Spanned<CraftSrc>>,
}

/// One `[[shop.trade]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TradeSrc {
    item: u16,
    #[serde(default)]
    buy: u32,
    #[serde(default)]
    sell: u32,
    max_amount: u8,
}

/// One `[[shop.craft]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CraftSrc {
    item: u16,
    ingredients: Vec<IngredientSrc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IngredientSrc {
    item: u16,
    amount: u8,
}

/// Reads `shops.toml` of `src`, if there is one, and builds the shop file.
pub(crate) fn build(src: &Path, pubs: &Pubs) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let path = src.join(SOURCE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = SourceFile::read(path)?;
    let parsed: ShopsFile = file.parse()?;
    let mut behaviors = BTreeSet::new();
    let mut shops = Vec::with_capacity(parsed.shop.len());
    for entry in parsed.shop {
        let span = entry.span();
        let shop = entry.into_inner();
        let what = format!("shop {:?} (behavior_id {})", shop.name, shop.behavior_id);
        let common = Common {
            file: &file,
            span: &span,
            what: &what,
            pubs,
        };
        common.header(
            shop.behavior_id,
            &shop.name,
            (shop.min_level, shop.max_level),
            shop.class_req,
            NpcType::Shop,
            &mut behaviors,
        )?;
        let trades = trades(&common, shop.trade)?;
        let crafts = crafts(&common, shop.craft)?;
        let record = ShopRecord {
            behavior_id: shop.behavior_id,
            name: shop.name,
            min_level: shop.min_level,
            max_level: shop.max_level,
            class_requirement: shop.class_req,
            trades,
            crafts,
        };
        record
            .to_bytes()
            .map_err(|e| file.error_at(span.clone(), format!("{what}: {e}")))?;
        shops.push(record);
    }
    let bytes = ShopFile { shops }
        .to_bytes()
        .map_err(|e| file.error_line(None, format!("cannot encode: {e}")))?;
    Ok(vec![(OUTPUT.into(), bytes.to_vec())])
}

fn trades(
    common: &Common<'_>,
    sources: Vec<Spanned<TradeSrc>>,
) -> Result<Vec<ShopTradeRecord>, Error> {
    let mut seen = BTreeSet::new();
    let mut trades = Vec::with_capacity(sources.len());
    for entry in sources {
        let span = entry.span();
        let t = entry.into_inner();
        let fail = |message: String| {
            Err(common.file.error_at(
                span.clone(),
                format!("{}, trade of item {}: {message}", common.what, t.item),
            ))
        };
        common.item(t.item, &span, "trade")?;
        if !seen.insert(t.item) {
            return fail("the item is traded twice (the server would use the first)".into());
        }
        if t.buy == 0 && t.sell == 0 {
            return fail("neither `buy` nor `sell` is set: nothing would be traded".into());
        }
        if t.buy > 0 && t.sell > t.buy {
            return fail(format!(
                "sell {} is above buy {}: buying and selling back would make gold",
                t.sell, t.buy
            ));
        }
        if t.max_amount == 0 || t.max_amount > MAX_CHAR {
            return fail(format!("max_amount must be 1 to {MAX_CHAR}"));
        }
        trades.push(ShopTradeRecord {
            item_id: t.item,
            buy_price: t.buy,
            sell_price: t.sell,
            max_amount: t.max_amount,
        });
    }
    Ok(trades)
}

fn crafts(
    common: &Common<'_>,
    sources: Vec<Spanned<CraftSrc>>,
) -> Result<Vec<ShopCraftRecord>, Error> {
    let mut seen = BTreeSet::new();
    let mut crafts = Vec::with_capacity(sources.len());
    for entry in sources {
        let span = entry.span();
        let c = entry.into_inner();
        let fail = |message: String| {
            Err(common.file.error_at(
                span.clone(),
                format!("{}, craft of item {}: {message}", common.what, c.item),
            ))
        };
        common.item(c.item, &span, "craft")?;
        if !seen.insert(c.item) {
            return fail("the item is crafted twice (the server would use the first)".into());
        }
        if c.ingredients.is_empty() || c.ingredients.len() > INGREDIENT_SLOTS {
            return fail(format!("it needs 1 to {INGREDIENT_SLOTS} ingredients"));
        }
        let mut used = BTreeSet::new();
        let mut ingredients = Vec::with_capacity(INGREDIENT_SLOTS);
        for ingredient in &c.ingredients {
            common.item(ingredient.item, &span, "ingredient")?;
            if !used.insert(ingredient.item) {
                return fail(format!(
                    "ingredient {} is listed twice (list it once with the whole amount)",
                    ingredient.item
                ));
            }
            if ingredient.amount == 0 || ingredient.amount > MAX_CHAR {
                return fail(format!(
                    "ingredient {}: amount must be 1 to {MAX_CHAR}",
                    ingredient.item
                ));
            }
            ingredients.push(ShopCraftIngredientRecord {
                item_id: ingredient.item,
                amount: ingredient.amount,
            });
        }
        ingredients.resize(INGREDIENT_SLOTS, ShopCraftIngredientRecord::default());
        crafts.push(ShopCraftRecord {
            item_id: c.item,
            ingredients,
        });
    }
    Ok(crafts)
}

/// What shops and skill masters share: the record's header checks, and ids checked against
/// the pub sources. Errors are at the record's line.
pub(crate) struct Common<'a> {
    pub file: &'a SourceFile,
    pub span: &'a Range<usize>,
    /// The record, for messages: `shop "Marla's Wares" (behavior_id 1)`.
    pub what: &'a str,
    pub pubs: &'a Pubs,
}

impl Common<'_> {
    fn fail<T>(&self, span: &Range<usize>, message: impl std::fmt::Display) -> Result<T, Error> {
        Err(self
            .file
            .error_at(span.clone(), format!("{}: {message}", self.what)))
    }

    /// The behavior id (unique, and the `behavior_id` of some NPC of type `kind`), the name,
    /// the level range (0 = none) and the class (0 = any).
    pub fn header(
        &self,
        behavior_id: u16,
        name: &str,
        (min_level, max_level): (u8, u8),
        class: u8,
        kind: NpcType,
        behaviors: &mut BTreeSet<u16>,
    ) -> Result<(), Error> {
        check_text(
            self.file,
            self.span,
            &format!("{} name", self.what),
            name,
            1,
            252,
        )?;
        if !behaviors.insert(behavior_id) {
            return self.fail(self.span, "the behavior_id is used twice");
        }
        let kept = self
            .pubs
            .npcs
            .entries
            .iter()
            .any(|e| e.record.r#type == kind && e.record.behavior_id == behavior_id);
        if !kept {
            return self.fail(
                self.span,
                format!("no NPC of type {kind:?} in npcs.toml has behavior_id {behavior_id}"),
            );
        }
        if max_level != 0 && min_level > max_level {
            return self.fail(
                self.span,
                format!("min_level {min_level} is above max_level {max_level}"),
            );
        }
        self.class(class, self.span, "class_req")
    }

    /// A class requirement: 0 (any) or a class of `classes.toml`.
    pub fn class(&self, class: u8, span: &Range<usize>, what: &str) -> Result<(), Error> {
        let classes = self.pubs.classes.len();
        if usize::from(class) > classes {
            return self.fail(
                span,
                format!("{what} {class} is not a class id (0 for any, or 1 to {classes})"),
            );
        }
        Ok(())
    }

    /// An item of `items.toml` other than gold.
    fn item(&self, id: u16, span: &Range<usize>, what: &str) -> Result<(), Error> {
        if self.pubs.items.source.get(id).is_none() {
            return self.fail(
                span,
                format!(
                    "{what} item {id} is not an item id (1 to {})",
                    self.pubs.items.source.len()
                ),
            );
        }
        if id == GOLD {
            return self.fail(span, format!("{what} item {GOLD} is the gold itself"));
        }
        Ok(())
    }

    /// A spell of `spells.toml`.
    pub fn spell(&self, id: u16, span: &Range<usize>, what: &str) -> Result<(), Error> {
        if self.pubs.spells.get(id).is_none() {
            return self.fail(
                span,
                format!(
                    "{what} {id} is not a spell id (1 to {})",
                    self.pubs.spells.len()
                ),
            );
        }
        Ok(())
    }
}
