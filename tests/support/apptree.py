"""What a page sent to the browser, read from Streamlit's AppTest element tree."""


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def everything(at) -> str:
    """Every element the page sent, as text (dataframes, chart data and component args such as st_folium's map
    included)."""
    return "\n".join(str(node.proto) for node in _walk(at._tree) if hasattr(node, "proto"))


def texts(at) -> str:
    """Titles, subheaders, notices, captions and markdown of an AppTest run, as one text to search."""
    parts = [e.value for kind in ("title", "subheader", "info", "caption", "markdown") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)
