// libedit for Swift: el_set, el_get and history are variadic, which Swift cannot call, so
// each use gets a fixed-arity wrapper (the way GRDB wraps sqlite3_config).
#include <histedit.h>
#include <stdio.h>

static inline FILE *clibedit_stdin(void) { return stdin; }
static inline FILE *clibedit_stdout(void) { return stdout; }
static inline FILE *clibedit_stderr(void) { return stderr; }

typedef char *(*clibedit_prompt_fn)(EditLine *);
typedef unsigned char (*clibedit_cmd_fn)(EditLine *, int);

static inline int clibedit_set_prompt(EditLine *el, clibedit_prompt_fn fn) { return el_set(el, EL_PROMPT, fn); }
static inline int clibedit_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int clibedit_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int clibedit_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int clibedit_add_fn(EditLine *el, const char *name, const char *help, clibedit_cmd_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int clibedit_bind(EditLine *el, const char *key, const char *fn) {
    return el_set(el, EL_BIND, key, fn, (const char *)0);
}
static inline int clibedit_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *clibedit_get_clientdata(EditLine *el) {
    void *data = 0;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int clibedit_history_setsize(History *h, int n) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, n);
}
static inline int clibedit_history_setunique(History *h, int on) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, on);
}
static inline int clibedit_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}
static inline int clibedit_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}
static inline int clibedit_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}
