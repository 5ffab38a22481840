//! The trend charts drawn alone, in both languages: visits per week
//! (Sparkline), open problems by age (BarChart), the share visited per area
//! and building (a Sparkline per place, names padded by display width), and
//! each as one line of text below the size a picture needs.

use gridbook::i18n::Lang;
use gridbook::model::Id;
use gridbook::tui::charts::{self, Chart};
use gridbook_core::trends::{Share, WEEKS};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(c: &Chart, lang: Lang, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| charts::render(f, f.area(), lang, c)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn weeks() -> Chart {
    Chart::Weeks([0, 1, 3, 2, 5, 8, 4, 0, 2, 6, 7, 3])
}

fn shares() -> Chart {
    let row = |name: &str, building: bool, last: f64| Share {
        id: Id::new(),
        area: Id::new(),
        name: name.into(),
        building,
        households: 10,
        pct: std::array::from_fn(|i| last * (i + 1) as f64 / WEEKS as f64),
    };
    Chart::Shares {
        window: 90,
        rows: vec![
            row("胜利花苑", false, 82.0),
            row("1栋", true, 92.0),
            row("12号楼", true, 40.0),
            row("Oak Court", false, 100.0),
        ],
    }
}

#[test]
fn charts_in_both_languages() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        insta::assert_snapshot!(format!("weeks_{tag}"), draw(&weeks(), lang, 40, 5));
        insta::assert_snapshot!(
            format!("ages_{tag}"),
            draw(&Chart::Ages([5, 8, 11, 2]), lang, 48, 8)
        );
        insta::assert_snapshot!(format!("shares_{tag}"), draw(&shares(), lang, 60, 6));
    }
}

#[test]
fn chinese_place_names_line_up_with_the_rest() {
    let s = draw(&shares(), Lang::Zh, 60, 6);
    // Each row's share ends in the same display column whatever the width
    // of its name: names are padded by display width.
    let starts: Vec<usize> = s
        .lines()
        .filter(|l| l.contains('%'))
        .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.find('%').unwrap()]))
        .collect();
    assert_eq!(starts.len(), 4, "{s}");
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{s}");
}

#[test]
fn too_small_a_space_gets_the_figures_as_text() {
    for lang in [Lang::En, Lang::Zh] {
        for c in [weeks(), Chart::Ages([5, 8, 11, 2]), shares()] {
            let s = draw(&c, lang, 60, 2);
            let first = s.lines().next().unwrap();
            assert!(!first.contains('┌'), "a box in 2 rows: {s}");
            assert!(first.contains(':') || first.contains('：'), "{s}");
            assert!(!charts::text(lang, &c).is_empty());
        }
        let s = draw(&weeks(), lang, 20, 6);
        assert!(s.contains("0 1 3 2") || s.lines().next().unwrap().chars().count() <= 20);
    }
    insta::assert_snapshot!("weeks_text_zh", draw(&weeks(), Lang::Zh, 70, 1));
    insta::assert_snapshot!(
        "ages_text_en",
        draw(&Chart::Ages([5, 8, 11, 2]), Lang::En, 70, 1)
    );
}
