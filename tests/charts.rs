//! The trend charts drawn alone, in both languages: visits per week
//! (Sparkline), open problems by age (BarChart), the share visited per area
//! and building (a line Chart, a line per place, its legend padded by
//! display width), and each as one line of text below the size a picture
//! needs.

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
        insta::assert_snapshot!(format!("shares_{tag}"), draw(&shares(), lang, 72, 11));
    }
}

#[test]
fn the_coverage_trend_is_a_line_chart_with_labelled_axes() {
    for (lang, x_end, y_title) in [
        (Lang::En, "this week", "visited"),
        (Lang::Zh, "本周", "已走访"),
    ] {
        let s = draw(&shares(), lang, 72, 11);
        // Axes: the share from 0% to 100%, the weeks to this one, titled.
        for label in ["0%", "50%", "100%", x_end, y_title] {
            assert!(s.contains(label), "{label} missing:\n{s}");
        }
        // A line per place: each line's own mark is drawn in the plot.
        let plot: String = s
            .lines()
            .map(|l| l.chars().take(40).collect::<String>())
            .collect();
        assert!(plot.contains('•') && plot.contains('▄'), "{s}");
        assert!(
            plot.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
            "{s}"
        );
        // The legend: every place with its share now, ending in one column
        // whatever the display width of its name.
        let ends: Vec<usize> = s
            .lines()
            .filter(|l| {
                ["胜利花苑", "1栋", "12号楼", "Oak Court"]
                    .iter()
                    .any(|n| l.contains(n))
            })
            .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.rfind('%').unwrap()]))
            .collect();
        assert_eq!(ends.len(), 4, "{s}");
        assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{s}");
    }
    // Below the picture's size (narrow, or low), the shares as text.
    for (w, h) in [(47, 11), (72, 7)] {
        let s = draw(&shares(), Lang::Zh, w, h);
        assert!(s.starts_with("90 天内已走访户占比"), "{w}x{h}:\n{s}");
        assert!(!s.contains('┌'), "{w}x{h}:\n{s}");
    }
    assert!(draw(&shares(), Lang::Zh, 72, 7).contains("胜利花苑 82% · Oak Court 100%"));
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
