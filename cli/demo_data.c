/*
 * demo_data.c - the illustrative sample records of `ccmsync demo`.
 *
 * The demo starts from `ccmsync seed` (public facts, each with its source,
 * and the work plan's timeline). What this file adds is illustrative and
 * says so in the data: leads, priorities and survey reasons carry the field
 * `sample`, activities a `source` of "illustrative"; none records a real
 * assignment, meeting or answer.
 */
#include "demo_data.h"

#define ILLUSTRATIVE_STATE                                                                         \
    "\"sample\": \"illustrative: lead, priority and reasons are sample data\""
#define ILLUSTRATIVE_ACT "\"source\": \"illustrative sample data, not a real meeting\""

const char ccm_demo_records[] =
    "{\"meta\": {\"note\": \"illustrative sample data for ccmsync demo\"},\n"
    " \"states\": [\n"
    "  {\"id\": \"AGO\", \"fields\": {\"priority\": \"high\", \"lead\": [\"Malawi\"], "
    "\"survey_reasons\": [\"capacity\", \"priorities\"], " ILLUSTRATIVE_STATE "}},\n"
    "  {\"id\": \"DJI\", \"fields\": {\"priority\": \"medium\", \"lead\": [\"Malawi\"], "
    "\"survey_reasons\": [\"legislation\"], " ILLUSTRATIVE_STATE "}},\n"
    "  {\"id\": \"KEN\", \"fields\": {\"priority\": \"high\", \"lead\": "
    "[\"Malawi\"], " ILLUSTRATIVE_STATE "}},\n"
    "  {\"id\": \"JAM\", \"fields\": {\"priority\": \"medium\", \"lead\": [\"Norway\"], "
    "\"survey_reasons\": [\"capacity\"], " ILLUSTRATIVE_STATE "}},\n"
    "  {\"id\": \"HTI\", \"fields\": {\"priority\": \"low\", \"lead\": "
    "[\"Peru\"], " ILLUSTRATIVE_STATE "}},\n"
    "  {\"id\": \"LTU\", \"fields\": {\"priority\": \"high\", \"lead\": "
    "[\"Norway\"], " ILLUSTRATIVE_STATE "}}\n"
    " ],\n"
    " \"activities\": [\n"
    "  {\"fields\": {\"type\": \"embassy\", \"date\": \"2025-01-21\", \"status\": \"done\", "
    "\"states\": [\"KEN\", \"UGA\"], \"by\": [\"Malawi\"], "
    "\"summary\": \"Ratification raised with delegations at a regional meeting\", " ILLUSTRATIVE_ACT
    "}},\n"
    "  {\"fields\": {\"type\": \"survey\", \"date\": \"2025-02-24\", \"status\": \"done\", "
    "\"states\": [\"AGO\", \"CAF\", \"COD\", \"DJI\", \"JAM\"], \"by\": [\"Norway\"], "
    "\"summary\": \"Survey on the reasons for not ratifying recirculated\", " ILLUSTRATIVE_ACT
    "}},\n"
    "  {\"fields\": {\"type\": \"side-event\", \"date\": \"2025-03-27\", \"status\": \"done\", "
    "\"by\": [\"Norway\", \"Peru\"], "
    "\"summary\": \"Side event on the CCM during a disarmament meeting in "
    "Geneva\", " ILLUSTRATIVE_ACT "}},\n"
    "  {\"fields\": {\"type\": \"bilateral\", \"date\": \"2025-05-14\", \"status\": \"done\", "
    "\"states\": [\"HTI\", \"JAM\"], \"by\": [\"Norway\"], "
    "\"summary\": \"Meetings with the Permanent Missions in Geneva\", " ILLUSTRATIVE_ACT "}},\n"
    "  {\"fields\": {\"type\": \"cmc-icrc\", \"date\": \"2025-08-20\", \"status\": \"planned\", "
    "\"by\": [\"Peru\"], "
    "\"summary\": \"Promote the ICRC ratification toolkit with the CMC\", " ILLUSTRATIVE_ACT "}}\n"
    " ]}\n";
