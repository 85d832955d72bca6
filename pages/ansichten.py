"""Gespeicherte Ansichten: the views editors saved for the council, with their short links, for everyone;
editors rename and delete them (the store refuses anyone else, whatever this page shows)."""

import streamlit as st

from dashboard.i18n import t
from dashboard.model import share_state
from dashboard.store.base import NOTE_MAX, TITLE_MAX, StoreError
from dashboard.web import links, saved_views, session, signin
from dashboard.web.edits import as_markdown

lang, loaded = session.open_page("views.heading")
user = signin.current_user()
data_store = session.settings().store(user.role)
base = links.app_url()[0]
st.write(t("views.intro", lang))
if flash := st.session_state.pop("views_flash", None):
    st.success(flash)
try:
    views = data_store.saved_views()
except StoreError as unavailable:
    st.error(unavailable.text(lang))
    st.stop()
if not views:
    st.info(t("views.none" if user.is_editor else "views.none_viewer", lang))
for view in views:
    with st.container(border=True, key=f"view_{view.view_id}"):
        st.subheader(as_markdown(view.title), anchor=False)
        if view.note:
            st.markdown(as_markdown(view.note))
        st.caption(
            f"{t('views.page', lang, page=t(saved_views.PAGE_TITLES[view.page], lang))} · "
            + as_markdown(saved_views.saved_line(view, lang))
        )
        link = share_state.saved_view_link(base, view.view_id)
        st.link_button(t("views.open", lang), link, icon=":material/open_in_new:")
        st.code(link, language=None, wrap_lines=True)
        if not user.is_editor:
            continue
        with st.expander(t("views.edit", lang)):
            with st.form(f"views_edit_{view.view_id}", border=False):
                title = st.text_input(t("views.title", lang), value=view.title, max_chars=TITLE_MAX)
                note = st.text_area(t("views.note", lang), value=view.note, max_chars=NOTE_MAX)
                rename = st.form_submit_button(t("views.rename_button", lang))
            sure = st.checkbox(t("views.delete_confirm", lang), key=f"views_sure_{view.view_id}")
            delete = st.button(t("views.delete_button", lang), key=f"views_delete_{view.view_id}", disabled=not sure)
            try:
                if rename:
                    data_store.change_view(user, view.view_id, view.row_version, title=title, note=note)
                    st.session_state["views_flash"] = t("views.renamed", lang)
                    st.rerun()
                if delete:
                    data_store.delete_view(user, view.view_id, view.row_version)
                    st.session_state["views_flash"] = t("views.deleted", lang, title=as_markdown(view.title))
                    st.rerun()
            except StoreError as refused:
                st.error(refused.text(lang))
