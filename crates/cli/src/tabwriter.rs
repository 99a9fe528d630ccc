//! Table alignment as Go's `text/tabwriter` does it for `runc list`
//! (`tabwriter.NewWriter(out, 12, 1, 3, ' ', 0)`).
//!
//! Every cell but the last of a line belongs to a column; a column is as wide as its
//! widest cell (in characters) plus a padding of 3, and at least 12; cells are padded
//! with spaces on the right. The last cell of each line is written as it is.

/// The smallest width of a column, padding included.
const MIN_WIDTH: usize = 12;
/// The spaces added to the widest cell of a column.
const PADDING: usize = 3;

/// The lines of `rows`, aligned, each ending with a newline.
pub fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(|row| row.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns.saturating_sub(1))
        .map(|column| {
            let widest = rows
                .iter()
                .filter(|row| column + 1 < row.len())
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0);
            (widest + PADDING).max(MIN_WIDTH)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        for (column, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if column + 1 < row.len() {
                let pad = widths[column].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|&c| c.to_owned()).collect()
    }

    #[test]
    fn columns_take_the_widest_cell_plus_padding_and_at_least_twelve() {
        let rows = [
            row(&["ID", "PID", "STATUS", "OWNER"]),
            row(&["a-much-longer-id", "42", "running", "root"]),
        ];
        assert_eq!(
            align(&rows),
            "ID                 PID         STATUS      OWNER\n\
             a-much-longer-id   42          running     root\n"
        );
    }

    #[test]
    fn a_header_alone_is_padded_to_the_minimum() {
        assert_eq!(align(&[row(&["ID", "X"])]), "ID          X\n");
        assert_eq!(align(&[]), "");
    }
}
