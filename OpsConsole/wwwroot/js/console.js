// Small browser helpers for the console: the theme cookie and the "/" shortcut to the search box.
window.opsConsole = {
    setTheme(theme) {
        document.cookie = `opsconsole-theme=${theme}; path=/; max-age=31536000; samesite=lax`;
    },
    // Copies text to the clipboard; false when the browser refuses (then the user selects it by hand).
    async copy(text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            const area = document.createElement('textarea');
            area.value = text;
            area.setAttribute('readonly', '');
            area.style.position = 'fixed';
            area.style.opacity = '0';
            document.body.appendChild(area);
            area.select();
            const ok = document.execCommand('copy');
            area.remove();
            return ok;
        }
    },
};

// Rows of a table marked .row-links open their a.row-link: a click anywhere on the row that is not on a control,
// and Enter on the focused row (rows get tabindex=0 as they appear, so the keyboard reaches them).
const rowLink = (tr) => tr && tr.closest('.row-links') ? tr.querySelector('a.row-link') : null;
const interactive = 'a, button, input, select, textarea, label, [role=button], [role=checkbox], .mud-checkbox';
document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.target.closest(interactive)) return;
    if (window.getSelection && String(window.getSelection()).length > 0) return; // selecting text to copy it
    const link = rowLink(e.target.closest('tbody tr'));
    if (link) link.click();
});
document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.target.tagName !== 'TR') return;
    const link = rowLink(e.target);
    if (link) {
        e.preventDefault();
        link.click();
    }
});
const markRows = () => {
    for (const tr of document.querySelectorAll('.row-links tbody tr:not([tabindex])')) {
        if (tr.querySelector('a.row-link')) tr.tabIndex = 0;
    }
};
new MutationObserver(markRows).observe(document.documentElement, { childList: true, subtree: true });

document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const editing = t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
    if (editing) return;
    const input = document.querySelector('#page-search input') || document.querySelector('#global-search input');
    if (input) {
        e.preventDefault();
        input.focus();
        input.select();
    }
});

// Enter in a typed date (an editable MudBlazor date picker) commits it, as Tab does, instead of opening the calendar:
// the field loses focus (MudBlazor then parses the text) and gets it back. Captured before MudBlazor's own handler.
window.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing) return;
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.readOnly || !input.closest('.mud-picker.date-field')) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    input.blur();
    input.focus();
}, true);
