/*
 * demo_data.c - the sample records of `ccmsync demo`.
 *
 * States and dates come from ../shared/reference/ccm-facts.md (public
 * sources: the CCM ISU, the Cluster Munition Monitor, the UN). Activities,
 * leads and priorities are illustrative: they follow the timeline of the
 * Universalization Work Plan 2024-2025 but record no real meeting.
 */
#include "demo_data.h"

const char ccm_demo_states[] =
    "{\"meta\": {\"note\": \"states from public sources; priorities and leads illustrative\"},\n"
    " \"states\": [\n"
    "  {\"id\": \"AGO\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\", \"priority\": \"high\"}},\n"
    "  {\"id\": \"CAF\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"COD\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"DJI\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"KEN\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\", \"priority\": \"high\"}},\n"
    "  {\"id\": \"LBR\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"TZA\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"UGA\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Africa\"}},\n"
    "  {\"id\": \"CYP\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"signatory\"], "
    "\"region\": \"Europe\"}},\n"
    "  {\"id\": \"HTI\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"apmbc\", "
    "\"signatory\"], \"region\": \"Americas\"}},\n"
    "  {\"id\": \"IDN\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"apmbc\", "
    "\"signatory\"], \"region\": \"Asia-Pacific\", \"priority\": \"high\"}},\n"
    "  {\"id\": \"JAM\", \"fields\": {\"status\": \"signatory\", \"targets\": [\"apmbc\", "
    "\"signatory\"], \"region\": \"Americas\"}},\n"
    "  {\"id\": \"LTU\", \"fields\": {\"status\": \"withdrawn\", \"targets\": [\"withdrawing\"], "
    "\"region\": \"Europe\", \"next_step\": \"withdrawal effective 2025-03-06 (Art. 20)\"}},\n"
    "  {\"id\": \"NGA\", \"fields\": {\"status\": \"party\", \"region\": \"Africa\"}},\n"
    "  {\"id\": \"SSD\", \"fields\": {\"status\": \"party\", \"region\": \"Africa\"}},\n"
    "  {\"id\": \"VUT\", \"fields\": {\"status\": \"party\", \"region\": \"Asia-Pacific\", "
    "\"next_step\": \"acceded 2025-09-05; in force 2026-03-01\"}}\n"
    " ]}\n";
