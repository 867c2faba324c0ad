"""The pieces steppers draw with, by concern (this module only gathers them for old imports):

    colours     the two colour maps, a cell's colour and colour class, text colour on it
    formatting  fmt, fmt_sci, esc, token_label: numbers and tokens as HTML text
    styles      CSS: the shared stylesheet
    cells       legend_html, cell, vector_row, column, matrix: HTML number cells
    diagram     unrolled_svg: the unrolled network with one step highlighted
    charts      log_plot_svg, bars_svg: the SVG charts

New code imports from those modules.
"""
from .cells import cell, column, legend_html, matrix, vector_row
from .charts import bars_svg, log_plot_svg
from .colours import colour, colour_class, text_colour
from .diagram import unrolled_svg
from .formatting import MINUS, esc, fmt, fmt_sci, token_label
from .styles import CSS

__all__ = ["CSS", "MINUS", "bars_svg", "cell", "colour", "colour_class", "column", "esc", "fmt",
           "fmt_sci", "legend_html", "log_plot_svg", "matrix", "text_colour", "token_label",
           "unrolled_svg", "vector_row"]
