/*
 * demo_data.h - embedded sample data for `ccmsync demo`.
 */
#ifndef CCM_CLI_DEMO_DATA_H
#define CCM_CLI_DEMO_DATA_H

/* An import document (JSON) of sample states. */
extern const char ccm_demo_states[];

#endif
