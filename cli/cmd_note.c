/*
 * cmd_note.c - note add / show / list / share: the command line of notes
 * (store/note.c holds the note model and its rules: who reads, who shares,
 * what a member who is not a recipient sees).
 *
 * The body comes from standard input, or from the member's editor when
 * standard input is a terminal; it is asked for only once the other
 * arguments are known to be right. Notes are never exported or reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "editor.h"
#include "text.h"

#define BODY_MAX 65536

static int read_body(char **out)
{
    size_t n;

    if (ccm_stream_read(out, &n, stdin, BODY_MAX) < 0) {
        return ccm_error_wrap(CCM_ERROR, "cannot read the note body from standard input");
    }
    if (n > BODY_MAX) {
        free(*out);
        *out = NULL;
        return ccm_error_set(CCM_EINVALID, "note body is too long (at most %d bytes)", BODY_MAX);
    }
    return CCM_OK;
}

/* Splits NAME[,NAME] into names (pointing into *copy, which the caller
 * frees). */
static int split_names(char **copy, const char ***names, size_t *n, const char *list)
{
    size_t cap = 1;
    char *save = NULL;

    *n = 0;
    for (const char *c = list; *c; c++) {
        cap += *c == ',';
    }
    *copy = strdup(list);
    *names = calloc(cap, sizeof(**names));
    if (!*copy || !*names) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *p = strtok_r(*copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        (*names)[(*n)++] = p;
    }
    return CCM_OK;
}

static int parse_add(ccm_cli *cli, int argc, char **argv, const char **on, const char **to,
                     const char **title)
{
    for (int i = 0; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--on") == 0      ? on
                            : strcmp(argv[i], "--to") == 0    ? to
                            : strcmp(argv[i], "--title") == 0 ? title
                                                              : NULL;
        if (!slot || i + 1 >= argc) {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
        *slot = argv[++i];
    }
    if (!*on || !*to || !*title) {
        return ccm_usage(cli, "missing %s", !*on ? "--on ID" : !*to ? "--to NAME" : "--title T");
    }
    return CCM_OK;
}

int ccm_cmd_note_add(ccm_cli *cli, int argc, char **argv)
{
    const char *on = NULL, *to_arg = NULL, *title = NULL, *kind, **to = NULL;
    char *target = NULL, *body = NULL, *names = NULL, id[CCM_RECORD_HEX_ID_LEN + 1];
    size_t nto = 0;
    int rc;

    if ((rc = parse_add(cli, argc, argv, &on, &to_arg, &title)) < 0 ||
        (rc = ccm_cli_record_arg(&kind, &target, cli, on)) < 0 ||
        (rc = split_names(&names, &to, &nto, to_arg)) < 0 ||
        (rc = ccm_store_note_check(cli->store, kind, target, to, nto, title)) < 0) {
        goto done;
    }
    rc = isatty(STDIN_FILENO) ? ccm_editor_edit(&body, cli->store_dir, BODY_MAX) : read_body(&body);
    if (rc < 0 ||
        (rc = ccm_store_note_add(id, cli->store, kind, target, to, nto, title, body)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s}", "id", id);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("%s\n", id);
    }
done:
    if (body) {
        ccm_wipe_text(body);
    }
    free(names);
    free(to);
    free(target);
    return rc;
}

/* Resolves a note id (or unique prefix) and reads it with its body. */
static int get_note(json_t **out, ccm_cli *cli, const char *arg)
{
    char *id = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_cli_hex_id(&id, cli, "note", arg)) == CCM_OK) {
        rc = ccm_store_note_get(out, cli->store, id, 1);
    }
    free(id);
    return rc;
}

int ccm_cmd_note_show(ccm_cli *cli, int argc, char **argv)
{
    json_t *view = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing note id");
    }
    if ((rc = get_note(&view, cli, argv[0])) < 0) {
        goto done;
    }
    if (cli->json) {
        rc = ccm_print_json(view);
    } else {
        json_t *f = json_object_get(view, "fields");
        char *body = ccm_text_escape(json_string_value(json_object_get(f, "body")), 1);
        printf("note %s on ", json_string_value(json_object_get(view, "id")));
        ccm_text_put(stdout, json_string_value(json_object_get(f, "on")));
        printf(" by ");
        ccm_text_put(stdout, json_string_value(json_object_get(f, "author")));
        printf("\nto: ");
        {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(f, "to"), i, e)
            {
                fputs(i ? ", " : "", stdout);
                ccm_text_put(stdout, json_string_value(e));
            }
        }
        printf("\ntitle: ");
        ccm_text_put(stdout, json_string_value(json_object_get(f, "title")));
        /* The body is multi-line text: its lines are kept, anything else
         * that would drive the terminal is escaped. */
        printf("\n\n%s\n", body ? body : "");
        if (body) {
            ccm_wipe_text(body);
        }
    }
done:
    json_decref(view);
    return rc;
}

int ccm_cmd_note_list(ccm_cli *cli, int argc, char **argv)
{
    json_t *out = NULL, *v;
    const char *kind = NULL;
    char *id = NULL;
    size_t i, hidden = 0;
    int rc;

    if (argc == 2 && strcmp(argv[0], "--on") == 0) {
        if ((rc = ccm_cli_record_arg(&kind, &id, cli, argv[1])) < 0) {
            return rc;
        }
    } else if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    if ((rc = ccm_store_notes(&out, &hidden, cli->store, kind, id, 0)) < 0) {
        free(id);
        return rc;
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    } else {
        if (json_array_size(out) == 0) {
            printf("no notes addressed to you");
            if (hidden) {
                printf(" (%zu addressed to others)", hidden);
            }
            printf("\n");
        }
        json_array_foreach(out, i, v)
        {
            json_t *f = json_object_get(v, "fields");
            char *on = ccm_text_escape(json_string_value(json_object_get(f, "on")), 0);
            char *author = ccm_text_escape(json_string_value(json_object_get(f, "author")), 0);
            printf("%s %-22s %-10s ", json_string_value(json_object_get(v, "id")), on ? on : "",
                   author ? author : "");
            ccm_text_put(stdout, json_string_value(json_object_get(f, "title")));
            fputc('\n', stdout);
            free(on);
            free(author);
        }
    }
    json_decref(out);
    free(id);
    return rc;
}

int ccm_cmd_note_share(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc != 3 || strcmp(argv[1], "--to") != 0) {
        return ccm_usage(cli, "expected ID --to NAME");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "note", argv[0])) < 0 ||
        (rc = ccm_store_note_share(cli->store, id, argv[2])) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:s}", "id", id, "shared_with", argv[2]);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("shared note %s with %s\n", id, argv[2]);
    }
done:
    free(id);
    return rc;
}
