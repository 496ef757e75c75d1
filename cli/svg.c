/*
 * svg.c - stacked bar charts as inline SVG for the HTML report, each in a
 * <figure> with its title as caption: one bar per
 * category, a stack of series in each, a legend, a scale with round ticks,
 * the total at the end of each bar. No script, no external reference: the
 * chart is text in the page, so it prints and reads anywhere. Labels are
 * escaped (they come from records) and cut, with an ellipsis, past
 * LABEL_MAX characters.
 */
#include <string.h>

#include "report.h"

#define WIDTH 640
#define LABEL_MAX 28
#define MAX_SERIES 8

/* Writes at most LABEL_MAX characters (code points) of a label, escaped. */
static void put_label(FILE *f, const char *s)
{
    char buf[LABEL_MAX * 4 + 4];
    size_t i = 0, chars = 0;

    s = s ? s : "";
    while (s[i] && chars < LABEL_MAX) {
        i++;
        while ((s[i] & 0xC0) == 0x80) {
            i++; /* continuation bytes of the same character */
        }
        chars++;
    }
    memcpy(buf, s, i);
    buf[i] = 0;
    ccm_report_put(f, buf, CCM_ESC_HTML);
    if (s[i]) {
        fputs("\xE2\x80\xA6", f); /* U+2026 */
    }
}

/* A round scale maximum (1, 2 or 5 times a power of ten) >= max, and its
 * tick step. */
static double nice_max(double max, double *step)
{
    double p = 1, m;

    if (max <= 0) {
        *step = 1;
        return 1;
    }
    while (p * 10 <= max) {
        p *= 10;
    }
    m = max / p <= 1 ? 1 : max / p <= 2 ? 2 : max / p <= 5 ? 5 : 10;
    *step = m * p / (m == 1 || m == 10 ? 5 : m == 2 ? 4 : 5);
    if (*step < 1) {
        *step = 1;
    }
    return m * p < 1 ? 1 : m * p;
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static double total_of(const ccm_svg_chart *c, size_t cat)
{
    double t = 0;
    for (size_t s = 0; s < c->nser; s++) {
        t += c->values[cat * c->nser + s];
    }
    return t;
}

/* The legend on one line at the top (only with several series). */
static int legend(FILE *f, const ccm_svg_chart *c)
{
    double x = 8;

    if (c->nser < 2) {
        return 0;
    }
    for (size_t s = 0; s < c->nser; s++) {
        fprintf(f, "<rect x=\"%.0f\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
                c->colors[s]);
        fprintf(f, "<text x=\"%.0f\" y=\"16\" class=\"lg\">", x + 16);
        ccm_report_put(f, c->series[s], CCM_ESC_HTML);
        fputs("</text>", f);
        x += 24 + 7.5 * (double)strlen(c->series[s]);
    }
    return 24;
}

static void open_svg(FILE *f, const ccm_svg_chart *c, int height)
{
    fputs("<figure>", f);
    fprintf(f,
            "<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
            WIDTH, height, WIDTH, height);
    ccm_report_put(f, c->title, CCM_ESC_HTML);
    fputs("\"><title>", f);
    ccm_report_put(f, c->title, CCM_ESC_HTML);
    fputs("</title>", f);
}

static void horizontal(FILE *f, const ccm_svg_chart *c)
{
    const double x0 = 220, x1 = WIDTH - 40, row = 22, bar = 14;
    double step, max = 0, top, y;
    int height;

    for (size_t k = 0; k < c->ncat; k++) {
        max = dmax(max, total_of(c, k));
    }
    max = nice_max(max, &step);
    top = c->nser > 1 ? 26 : 4;
    height = (int)(top + row * (double)c->ncat + 22);
    open_svg(f, c, height);
    legend(f, c);
    for (double t = 0; t <= max + 1e-9; t += step) {
        double x = x0 + (x1 - x0) * t / max;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" class=\"grid\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" class=\"tick\" text-anchor=\"middle\">%.0f</text>",
                x, top, x, top + row * (double)c->ncat, x, top + row * (double)c->ncat + 14, t);
    }
    for (size_t k = 0; k < c->ncat; k++) {
        double x = x0;
        y = top + row * (double)k;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"lb\" text-anchor=\"end\">", x0 - 8,
                y + row / 2 + 4);
        put_label(f, c->cats[k]);
        fputs("</text>", f);
        for (size_t s = 0; s < c->nser; s++) {
            double w = (x1 - x0) * c->values[k * c->nser + s] / max;
            if (w > 0) {
                fprintf(f,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                        "fill=\"%s\"/>",
                        x, y + (row - bar) / 2, w, bar, c->colors[s]);
            }
            x += w;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">%.0f</text>", x + 4, y + row / 2 + 4,
                total_of(c, k));
    }
    fputs("</svg>\n", f);
}

static void vertical(FILE *f, const ccm_svg_chart *c)
{
    const double x0 = 36, x1 = WIDTH - 8, plot = 180;
    double step, max = 0, top, colw, barw;
    size_t every = c->ncat > 16 ? (c->ncat + 15) / 16 : 1;
    int height;

    for (size_t k = 0; k < c->ncat; k++) {
        max = dmax(max, total_of(c, k));
    }
    max = nice_max(max, &step);
    top = c->nser > 1 ? 40 : 16;
    height = (int)(top + plot + 28);
    colw = (x1 - x0) / (double)(c->ncat ? c->ncat : 1);
    barw = colw * 0.7 < 48 ? colw * 0.7 : 48;
    open_svg(f, c, height);
    legend(f, c);
    for (double t = 0; t <= max + 1e-9; t += step) {
        double y = top + plot - plot * t / max;
        fprintf(f,
                "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%.0f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%.0f</text>",
                x0, y, x1, y, x0 - 4, y + 4, t);
    }
    for (size_t k = 0; k < c->ncat; k++) {
        double x = x0 + colw * (double)k + (colw - barw) / 2, y = top + plot;
        for (size_t s = 0; s < c->nser; s++) {
            double h = plot * c->values[k * c->nser + s] / max;
            if (h > 0) {
                fprintf(f,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"%s\"/>",
                        x, y - h, barw, h, c->colors[s]);
            }
            y -= h;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\" text-anchor=\"middle\">%.0f</text>",
                x + barw / 2, y - 3, total_of(c, k));
        if (k % every == 0) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" class=\"lb\" text-anchor=\"middle\">",
                    x + barw / 2, top + plot + 16);
            put_label(f, c->cats[k]);
            fputs("</text>", f);
        }
    }
    fputs("</svg>\n", f);
}

int ccm_svg_bar_chart(FILE *f, const ccm_svg_chart *chart)
{
    if (chart->nser == 0 || chart->nser > MAX_SERIES) {
        return ccm_error_set(CCM_ERROR, "a chart needs 1 to %d series", MAX_SERIES);
    }
    if (chart->vertical) {
        vertical(f, chart);
    } else {
        horizontal(f, chart);
    }
    fputs("<figcaption>", f);
    ccm_report_put(f, chart->title, CCM_ESC_HTML);
    fputs("</figcaption></figure>\n", f);
    return ferror(f) ? ccm_error_set(CCM_ERROR, "cannot write the chart") : CCM_OK;
}
