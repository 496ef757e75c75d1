/*
 * editor.h - a note's body written in the member's editor (cli/editor.c).
 */
#ifndef CCM_CLI_EDITOR_H
#define CCM_CLI_EDITOR_H

#include <stddef.h>

/* $EDITOR, else $VISUAL, else NULL (borrowed from the environment). */
const char *ccm_editor_name(void);

/* Opens the editor on an empty file in `dir` and returns what was saved
 * (at most `max` bytes; free with ccm_wipe_text). CCM_EINVALID when no
 * editor is set or the text is too long, CCM_ERROR when the editor fails.
 * The file is zeroed and removed in every case. */
int ccm_editor_edit(char **out, const char *dir, size_t max);

#endif
