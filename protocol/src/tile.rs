//! What a map's tile specs mean for walking: a fact of the EMF format that every client and
//! server shares (the official client does not step onto these tiles, and servers refuse a
//! walk onto them), so it is declared here once rather than in each program that reads maps.

use crate::map::MapTileSpec;

impl MapTileSpec {
    /// Whether a character may not stand on a tile of this spec: walls, chairs (sat on from
    /// the next tile), chests, the bank vault, boards, the jukebox and the map's edge.
    pub fn blocks_characters(self) -> bool {
        matches!(
            self,
            MapTileSpec::Wall
                | MapTileSpec::ChairDown
                | MapTileSpec::ChairLeft
                | MapTileSpec::ChairRight
                | MapTileSpec::ChairUp
                | MapTileSpec::ChairDownRight
                | MapTileSpec::ChairUpLeft
                | MapTileSpec::ChairAll
                | MapTileSpec::Chest
                | MapTileSpec::BankVault
                | MapTileSpec::Edge
                | MapTileSpec::Board1
                | MapTileSpec::Board2
                | MapTileSpec::Board3
                | MapTileSpec::Board4
                | MapTileSpec::Board5
                | MapTileSpec::Board6
                | MapTileSpec::Board7
                | MapTileSpec::Board8
                | MapTileSpec::Jukebox
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walls_chairs_and_boards_block_open_ground_and_spikes_do_not() {
        assert!(MapTileSpec::Wall.blocks_characters());
        assert!(MapTileSpec::ChairAll.blocks_characters());
        assert!(MapTileSpec::Board8.blocks_characters());
        assert!(!MapTileSpec::NpcBoundary.blocks_characters());
        assert!(!MapTileSpec::Spikes.blocks_characters());
        assert!(!MapTileSpec::Unrecognized(99).blocks_characters());
    }
}
