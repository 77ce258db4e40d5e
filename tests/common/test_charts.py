import datetime as dt

from common.charts import cumulative_chart, hbar_chart


def test_hbar_chart_scales_bars_to_the_biggest_value():
    chart = hbar_chart([("三级/高级工", 40), ("四级/中级工", 10), ("零", 0)])
    widths = [bar["width"] for bar in chart["bars"]]
    assert widths[0] == 4 * widths[1]
    assert widths[2] == 0
    assert hbar_chart([]) is None


def test_hbar_chart_shortens_long_labels_but_keeps_the_title():
    chart = hbar_chart([("一个非常非常长的专业名称啊", 3)])
    assert chart["bars"][0]["label"].endswith("…")
    assert chart["bars"][0]["title"] == "一个非常非常长的专业名称啊"


def test_cumulative_chart_stops_at_the_last_day_and_marks_the_deadline():
    points = [(dt.date(2022, 5, 1), 3), (dt.date(2022, 5, 3), 10)]
    chart = cumulative_chart(points, until=dt.date(2022, 5, 20))
    xs = [float(pair.split(",")[0]) for pair in chart["points"].split()]
    assert max(xs) < chart["deadline_x"] == chart["right"]
    assert chart["max"] == 10
    assert chart["last_label"] == "05-20"
    assert cumulative_chart([]) == {}
