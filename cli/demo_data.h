/*
 * demo_data.h - embedded sample data for `ccmsync demo`.
 */
#ifndef CCM_CLI_DEMO_DATA_H
#define CCM_CLI_DEMO_DATA_H

/* An import document (JSON) of illustrative leads, priorities, survey
 * reasons and activities, added to what `ccmsync seed` loads. */
extern const char ccm_demo_records[];

#endif
