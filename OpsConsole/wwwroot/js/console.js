// Small browser helpers for the console: the theme cookie and the "/" shortcut to the search box.
window.opsConsole = {
    setTheme(theme) {
        document.cookie = `opsconsole-theme=${theme}; path=/; max-age=31536000; samesite=lax`;
    },
};

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
