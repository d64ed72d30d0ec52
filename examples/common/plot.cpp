#include "common/plot.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace examples {

namespace {

bool have_program(const std::string& name) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", name).c_str()) == 0;
}

// A string literal for gnuplot, which doubles quotes inside single quotes.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A word for the shell.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool gnuplot_available(const std::filesystem::path& png) {
  if (have_program("gnuplot")) return true;
  fmt::print(stderr, "note: gnuplot is not installed, so {} was not drawn\n", png.string());
  return false;
}

// Feeds the script to gnuplot, then removes its data file.
bool run_gnuplot(const std::string& script, const std::filesystem::path& png, const std::filesystem::path& data) {
  FILE* gnuplot = popen("gnuplot", "w");
  if (!gnuplot) return false;
  std::fputs(script.c_str(), gnuplot);
  const int status = pclose(gnuplot);
  std::filesystem::remove(data);
  if (status != 0) fmt::print(stderr, "note: gnuplot failed to draw {}\n", png.string());
  return status == 0;
}

}  // namespace

void write_text(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

void write_csv(const std::filesystem::path& path, const std::string& x_name, const std::vector<Series>& series) {
  std::string text = x_name;
  for (const Series& s : series) text += "," + s.title;
  text += "\n";
  const std::size_t rows = series.empty() ? 0 : series.front().x.size();
  for (std::size_t i = 0; i < rows; ++i) {
    text += fmt::format("{}", series.front().x[i]);
    for (const Series& s : series) text += fmt::format(",{:.10g}", s.y[i]);
    text += "\n";
  }
  write_text(path, text);
}

bool plot_png(const std::filesystem::path& png, const PlotSpec& spec, const std::vector<Series>& series) {
  if (!gnuplot_available(png)) return false;
  const std::filesystem::path data = png.string() + ".data";
  std::string table;
  for (std::size_t s = 0; s < series.size(); ++s) {
    for (std::size_t i = 0; i < series[s].x.size(); ++i)
      table += fmt::format("{} {:.10g}\n", series[s].x[i], series[s].y[i]);
    table += "\n\n";  // gnuplot's index separator
  }
  write_text(data, table);

  std::string script = fmt::format(
      "set terminal pngcairo size 900,560 enhanced font 'Sans,11'\nset output {}\nset title {}\nset xlabel {}\n"
      "set ylabel {}\nset grid\nset key top right\n",
      quoted(png.string()), quoted(spec.title), quoted(spec.x_label), quoted(spec.y_label));
  if (spec.second_axis_for_last_series)
    script += fmt::format("set y2label {}\nset y2tics\nset ytics nomirror\n", quoted(series.back().title));
  script += "plot ";
  for (std::size_t s = 0; s < series.size(); ++s) {
    const bool second = spec.second_axis_for_last_series && s + 1 == series.size();
    script += fmt::format("{}{} index {} with linespoints lw 2 pt 7 ps 0.5 title {}{}", s ? ", " : "",
                          quoted(data.string()), s, quoted(series[s].title), second ? " axes x1y2" : "");
  }
  script += "\n";
  return run_gnuplot(script, png, data);
}

bool plot_decision_png(const std::filesystem::path& png, const std::string& title,
                       const std::vector<ClassifiedPoint>& field, const std::vector<ClassifiedPoint>& points) {
  if (!gnuplot_available(png)) return false;
  const std::filesystem::path data = png.string() + ".data";
  std::string table;
  for (const auto& p : field) table += fmt::format("{} {} {}\n", p.x, p.y, p.positive ? 1 : 0);
  table += "\n\n";
  for (const bool positive : {false, true}) {
    for (const auto& p : points)
      if (p.positive == positive) table += fmt::format("{} {}\n", p.x, p.y);
    table += "\n\n";
  }
  write_text(data, table);
  const std::string script = fmt::format(
      "set terminal pngcairo size 760,640 enhanced font 'Sans,11'\nset output {}\nset title {}\n"
      "set autoscale fix\nset palette defined (0 '#c6dbef', 1 '#fdd0a2')\nunset colorbox\nset cbrange [0:1]\nset key "
      "outside bottom\n"
      "plot {d} index 0 using 1:2:3 with image notitle, {d} index 1 with points pt 7 ps 1.2 lc rgb '#2171b5' "
      "title 'class -1', {d} index 2 with points pt 7 ps 1.2 lc rgb '#d94801' title 'class +1'\n",
      quoted(png.string()), quoted(title), fmt::arg("d", quoted(data.string())));
  return run_gnuplot(script, png, data);
}

bool render_svg(const std::filesystem::path& dot_file, const std::filesystem::path& svg) {
  if (!have_program("dot")) return false;
  const std::string command =
      fmt::format("dot -Tsvg {} -o {}", shell_quoted(dot_file.string()), shell_quoted(svg.string()));
  return std::system(command.c_str()) == 0;
}

}  // namespace examples
