#pragma once

// Writing results next to an example's output: CSV files, and PNG plots drawn by gnuplot.

#include <filesystem>
#include <string>
#include <vector>

namespace examples {

struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
};

// Writes the series as CSV (header x,<title>...; all series share x), atomically: a temporary file renamed over.
void write_csv(const std::filesystem::path& path, const std::string& x_name, const std::vector<Series>& series);

// Writes a text file atomically.
void write_text(const std::filesystem::path& path, const std::string& text);

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool second_axis_for_last_series = false;  // e.g. accuracy beside a loss
};

// Draws line plots with gnuplot into a PNG. Returns false (and says why on stderr) when gnuplot is missing
// or fails; the data stays available in the CSV.
bool plot_png(const std::filesystem::path& png, const PlotSpec& spec, const std::vector<Series>& series);

struct ClassifiedPoint {
  double x;
  double y;
  bool positive;
};

// Draws a classifier's decision regions (`field` holds the predicted class on a regular grid) with the data
// points on top, coloured by their true class.
bool plot_decision_png(const std::filesystem::path& png, const std::string& title,
                       const std::vector<ClassifiedPoint>& field, const std::vector<ClassifiedPoint>& points);

// Renders a Graphviz DOT file to SVG with `dot` when it is installed; returns whether it did.
bool render_svg(const std::filesystem::path& dot_file, const std::filesystem::path& svg);

}  // namespace examples
