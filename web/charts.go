package web

import (
	"math"
	"strconv"
)

// The dashboard's charts are drawn on the server as inline SVG: no script, no charting library,
// nothing to load, and the same numbers are always in a table next to each chart (the chart is
// role="img" with a name; the table is what a screen reader reads). This file only does the
// geometry; the figures come from internal/kpi.

// svgChart is one chart as templates/partials/charts.html draws it, in a viewBox of W×H units
// that scales to the width it is given.
type svgChart struct {
	// ID is the chart's element id; Label its accessible name.
	ID, Label string
	W, H      int
	Rects     []svgRect
	Texts     []svgText
	Lines     []svgLine
	// Legend names the series (shown under the chart as HTML, with the series' colour).
	Legend []legendEntry
}

type svgRect struct {
	X, Y, W, H float64
	Class      string
}

type svgText struct {
	X, Y          float64
	Anchor, Class string
	Text          string
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type legendEntry struct{ Class, Label string }

// series is one set of bars of a column chart: a value per category and its colour class.
type series struct {
	Label  string
	Class  string
	Values []float64
}

// Column-chart geometry, in viewBox units.
const (
	colW, colH       = 640, 260
	colLeft, colTop  = 48, 12
	colRight, colBot = 8, 40
)

// columnChart draws one or more series side by side per category (months), with a y axis of
// four ticks from 0 to a round maximum; format writes a tick's value. yMax > 0 fixes the axis
// (a share's 100 %).
func columnChart(id, label string, categories []string, ss []series, yMax float64, format func(float64) string) svgChart {
	c := svgChart{ID: id, Label: label, W: colW, H: colH}
	plotW, plotH := float64(colW-colLeft-colRight), float64(colH-colTop-colBot)
	top := yMax
	if top <= 0 {
		for _, s := range ss {
			for _, v := range s.Values {
				top = math.Max(top, v)
			}
		}
		top = niceCeil(top)
	}
	const ticks = 4
	for i := 0; i <= ticks; i++ {
		v := top * float64(i) / ticks
		y := float64(colTop) + plotH - plotH*float64(i)/ticks
		class := "chart-grid"
		if i == 0 {
			class = "chart-axis"
		}
		c.Lines = append(c.Lines, svgLine{X1: colLeft, Y1: y, X2: float64(colW - colRight), Y2: y, Class: class})
		c.Texts = append(c.Texts, svgText{X: colLeft - 6, Y: y + 4, Anchor: "end", Class: "chart-tick", Text: format(v)})
	}
	n := len(categories)
	if n == 0 {
		return c
	}
	slot := plotW / float64(n)
	barW := slot * 0.8 / float64(max(len(ss), 1))
	every := (n + 11) / 12 // at most twelve labels
	for i, cat := range categories {
		x0 := float64(colLeft) + slot*float64(i) + slot*0.1
		for j, s := range ss {
			v := 0.0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			h := 0.0
			if top > 0 {
				h = plotH * math.Min(v, top) / top
			}
			c.Rects = append(c.Rects, svgRect{X: x0 + barW*float64(j), Y: float64(colTop) + plotH - h, W: barW, H: h, Class: s.Class})
		}
		if i%every == 0 {
			c.Texts = append(c.Texts, svgText{X: float64(colLeft) + slot*(float64(i)+0.5), Y: float64(colH - colBot + 16), Anchor: "middle", Class: "chart-label", Text: cat})
		}
	}
	for _, s := range ss {
		c.Legend = append(c.Legend, legendEntry{Class: s.Class, Label: s.Label})
	}
	return c
}

// barChart draws a ranked list as horizontal bars, each with its label above it and its value
// at its end.
func barChart(id, label string, labels []string, values []int64, class string) svgChart {
	const rowH, barH, left, right = 40, 16, 4, 48
	c := svgChart{ID: id, Label: label, W: colW, H: max(len(labels), 1)*rowH + 8}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	plotW := float64(colW - left - right)
	for i, l := range labels {
		y := float64(i*rowH) + 18
		w := 0.0
		if top > 0 {
			w = plotW * float64(values[i]) / float64(top)
		}
		c.Texts = append(c.Texts, svgText{X: left, Y: y, Anchor: "start", Class: "chart-label", Text: shorten(l, 70)})
		c.Rects = append(c.Rects, svgRect{X: left, Y: y + 4, W: w, H: barH, Class: class})
		c.Texts = append(c.Texts, svgText{X: left + w + 6, Y: y + 17, Anchor: "start", Class: "chart-value", Text: strconv.FormatInt(values[i], 10)})
	}
	return c
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 4, so four ticks are whole).
func niceCeil(v float64) float64 {
	if v <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 4, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// shorten cuts a label for a chart to n characters with an ellipsis (the table has it whole).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
