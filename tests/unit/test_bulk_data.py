"""A map's bulk data set aside while streamlit-folium takes its script apart, and put back unchanged (the payload
of a whole gap map: test_map_payload)."""

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.maps import bulk_data
from dashboard.maps.gap_map import GridOverlay, grid_picture
from tests.support.factories import tiny_workspace


def test_outside_a_payload_the_data_is_written_in_place():
    assert bulk_data.inline('{"a": 1}') == '{"a": 1}'


def test_each_placeholder_gets_its_text_back_and_a_text_put_back_is_not_read_again():
    with bulk_data.set_aside() as aside:
        first = bulk_data.inline('{"name": "A"}')
        second = bulk_data.inline(f'"{aside.mark}0X"')  # a text that looks like the first placeholder
    assert bulk_data.inline("x") == "x"  # set_aside ended
    assert "_" not in first and '"' not in first and "\n" not in first
    script = f"a({first});\n  b({second});"
    assert aside.put_back(script) == f'a({{"name": "A"}});\n  b("{aside.mark}0X");'


def test_each_map_has_placeholders_no_text_can_foresee():
    with bulk_data.set_aside() as one, bulk_data.set_aside() as other:
        assert one.mark != other.mark


def test_the_grid_picture_is_set_aside_only_where_json_writes_it_as_it_is():
    city = prepare(tiny_workspace())
    picture = grid_picture(analyse(city, GapParams()))
    assert picture is not None
    plain = GridOverlay(picture[0], bounds=picture[1])
    odd = GridOverlay('data:image/png;base64,"</script>', bounds=picture[1])
    with bulk_data.set_aside():
        assert plain.url != picture[0] and odd.url == 'data:image/png;base64,"</script>'
    assert plain.url == picture[0]


def test_a_shared_text_stays_in_the_script_unless_the_payload_publishes_it():
    shapes = '[{"type": "Point", "coordinates": [8.7, 50.5]}]'
    assert bulk_data.shared(shapes) == shapes
    with bulk_data.set_aside() as kept:
        in_place = bulk_data.shared(shapes)
    assert kept.put_back(f"add({in_place});") == f"add({shapes});"
    published: list[str] = []

    def publish(text: str) -> str:
        published.append(text)
        return "/qa-data/abc.json"

    with bulk_data.set_aside(publish) as aside:
        address = bulk_data.shared(shapes)
        data = bulk_data.inline('{"a": 1}')
    assert aside.put_back(f"add({address}, {data});") == 'add("/qa-data/abc.json", {"a": 1});'
    assert published == [shapes]  # only the shared text
    with bulk_data.set_aside(lambda text: None) as unpublished:  # no server to answer: the text itself
        again = bulk_data.shared(shapes)
    assert unpublished.put_back(again) == shapes
