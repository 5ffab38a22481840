//! Lossless export and import of everything (JSON), and a roster + events CSV export.
//! (Being built: see the issue on data in and out.)

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Json,
    Csv,
}
