package org.dnckernels.bench.report;

import java.util.ArrayList;
import java.util.List;

/** The report as a list of blocks, written once and rendered as Markdown and as HTML. */
final class Document {
  sealed interface Block permits Heading, Paragraph, Bullets, Table, Image {}

  record Heading(int level, String text) implements Block {}

  /** Plain text; {@code `code`} spans are kept as code. */
  record Paragraph(String text) implements Block {}

  record Bullets(List<String> items) implements Block {}

  /** A table; columns whose {@code numeric} flag is set are right-aligned. */
  record Table(List<String> header, List<Boolean> numeric, List<List<String>> rows) implements Block {}

  record Image(String file, String alt) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  Document(String title) {
    this.title = title;
  }

  String title() {
    return title;
  }

  List<Block> blocks() {
    return blocks;
  }

  Document heading(int level, String text) {
    blocks.add(new Heading(level, text));
    return this;
  }

  Document paragraph(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  Document bullets(List<String> items) {
    if (!items.isEmpty()) {
      blocks.add(new Bullets(List.copyOf(items)));
    }
    return this;
  }

  Document table(Table t) {
    blocks.add(t);
    return this;
  }

  Document image(String file, String alt) {
    blocks.add(new Image(file, alt));
    return this;
  }

  /** Builds a table row by row. */
  static final class TableBuilder {
    private final List<String> header = new ArrayList<>();
    private final List<Boolean> numeric = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    TableBuilder text(String name) {
      header.add(name);
      numeric.add(false);
      return this;
    }

    TableBuilder number(String name) {
      header.add(name);
      numeric.add(true);
      return this;
    }

    TableBuilder row(String... cells) {
      if (cells.length != header.size()) {
        throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
      }
      rows.add(List.of(cells));
      return this;
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    Table build() {
      return new Table(List.copyOf(header), List.copyOf(numeric), List.copyOf(rows));
    }
  }

  /** Markdown (GitHub flavour). */
  String toMarkdown() {
    StringBuilder out = new StringBuilder("# ").append(title).append("\n\n");
    for (Block b : blocks) {
      switch (b) {
        case Heading h -> out.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
        case Paragraph p -> out.append(p.text()).append("\n\n");
        case Bullets l -> {
          for (String item : l.items()) {
            out.append("- ").append(item).append('\n');
          }
          out.append('\n');
        }
        case Table t -> {
          out.append('|');
          for (String h : t.header()) {
            out.append(' ').append(cell(h)).append(" |");
          }
          out.append("\n|");
          for (boolean n : t.numeric()) {
            out.append(n ? " ---: |" : " --- |");
          }
          out.append('\n');
          for (List<String> row : t.rows()) {
            out.append('|');
            for (String c : row) {
              out.append(' ').append(cell(c)).append(" |");
            }
            out.append('\n');
          }
          out.append('\n');
        }
        case Image i -> out.append("![").append(i.alt()).append("](").append(i.file()).append(")\n\n");
      }
    }
    return out.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  /** A standalone HTML page (inline CSS, images next to it). */
  String toHtml() {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;"
            + "padding:0 1em;color:#222;line-height:1.45}\n")
        .append("table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.92em}\n")
        .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em}th{background:#f2f2f2}\n")
        .append("td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n")
        .append("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}\n")
        .append("code{background:#f5f5f5;padding:0 0.2em}\n")
        .append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n");
    for (Block b : blocks) {
      switch (b) {
        case Heading h -> out.append("<h").append(h.level()).append(" id=\"").append(anchor(h.text())).append("\">")
            .append(escape(h.text())).append("</h").append(h.level()).append(">\n");
        case Paragraph p -> out.append("<p>").append(inline(p.text())).append("</p>\n");
        case Bullets l -> {
          out.append("<ul>\n");
          for (String item : l.items()) {
            out.append("<li>").append(inline(item)).append("</li>\n");
          }
          out.append("</ul>\n");
        }
        case Table t -> {
          out.append("<table>\n<thead><tr>");
          for (String h : t.header()) {
            out.append("<th>").append(escape(h)).append("</th>");
          }
          out.append("</tr></thead>\n<tbody>\n");
          for (List<String> row : t.rows()) {
            out.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
              out.append(t.numeric().get(c) ? "<td class=\"n\">" : "<td>").append(inline(row.get(c))).append("</td>");
            }
            out.append("</tr>\n");
          }
          out.append("</tbody>\n</table>\n");
        }
        case Image i -> out.append("<p><img src=\"").append(escape(i.file())).append("\" alt=\"")
            .append(escape(i.alt())).append("\"></p>\n");
      }
    }
    return out.append("</body>\n</html>\n").toString();
  }

  private static String anchor(String text) {
    return text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  // `code` spans, bold **x**; everything else escaped
  private static String inline(String text) {
    String escaped = escape(text);
    return escaped.replaceAll("`([^`]+)`", "<code>$1</code>").replaceAll("\\*\\*([^*]+)\\*\\*", "<strong>$1</strong>");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
