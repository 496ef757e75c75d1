# gen.awk - deterministic benchmark data for `ccmsync import`.
#
#   awk -f bench/gen.awk -v n=100000 -v seed=20250101 \
#       /usr/share/iso-codes/json/iso_3166-1.json > data.json
#
# Writes {"meta": {...}, "states": [...], "activities": [...]}: one record per
# ISO 3166-1 state (249) with realistic fields, then n activities (type, date
# in 2024-12..2025-09, status, 1-3 states, 1-2 implementers, a summary of about
# 80 characters). One record per line.
#
# Plain POSIX awk (mawk, gawk, busybox awk), no other tool. The random numbers
# come from a Park-Miller generator done in exact double arithmetic, not from
# awk's rand(), so the output is byte-identical with every awk for a given
# seed and n, and the first k activities do not depend on n (a run with n=1000
# is a prefix of one with n=100000).

function rnd(k) { # uniform integer in [0, k)
    rng = (rng * 48271) % 2147483647
    return int(rng / 2147483647 * k)
}

function pick(list,    a, m) { # one element of a space-separated list
    m = split(list, a, " ")
    return a[rnd(m) + 1]
}

# k distinct elements of a space-separated list, as a JSON array.
function picks(list, k,    a, m, i, j, t, out) {
    m = split(list, a, " ")
    if (k > m)
        k = m
    out = ""
    for (i = 1; i <= k; i++) {
        j = i + rnd(m - i + 1)
        t = a[i]; a[i] = a[j]; a[j] = t
        out = out (i > 1 ? "," : "") "\"" a[i] "\""
    }
    return "[" out "]"
}

function date(    mo, y, d) { # a day in 2024-12 .. 2025-09
    mo = rnd(10)
    if (mo == 0) { y = 2024; mo = 12 } else { y = 2025 }
    d = 1 + rnd(mdays[mo])
    return sprintf("%04d-%02d-%02d", y, mo, d)
}

function region_of(c,    r) {
    for (r in regions)
        if (index(" " regions[r] " ", " " c " "))
            return r
    return "Other"
}

BEGIN {
    if (n == "")
        n = 100000
    if (seed == "")
        seed = 20250101
    rng = seed % 2147483646 + 1
    ns = 0

    split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
    members = "Peru Norway Malawi Philippines Lao-PDR Iraq ISU ICRC CMC IWG"
    types = "bilateral bilateral bilateral survey side-event iwg-meeting embassy embassy " \
            "regional-workshop model-legislation ipu cmc-icrc treaty-event regional-org other"
    targetcats = "signatory apmbc withdrawing ccw unga-yes interim-steps"
    reasons = "security alliances stockpile cost legislation capacity priorities regional other"

    regions["Africa"] = "DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG COD CIV DJI EGY GNQ " \
        "ERI SWZ ETH GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MYT MAR MOZ NAM " \
        "NER NGA REU RWA SHN STP SEN SYC SLE SOM ZAF SSD SDN TZA TGO TUN UGA ESH ZMB ZWE IOT ATF"
    regions["Americas"] = "AIA ATG ARG ABW BHS BRB BLZ BMU BOL BES BVT BRA CAN CYM CHL COL " \
        "CRI CUB CUW DMA DOM ECU SLV FLK GUF GRL GRD GLP GTM GUY HTI HND JAM MTQ MEX MSR NIC " \
        "PAN PRY PER PRI BLM KNA LCA MAF SPM VCT SXM SGS SUR TTO TCA USA URY VEN VGB VIR"
    regions["Asia"] = "AFG ARM AZE BHR BGD BTN BRN KHM CHN CYP GEO HKG IND IDN IRN IRQ ISR " \
        "JPN JOR KAZ KWT KGZ LAO LBN MAC MYS MDV MNG MMR NPL PRK OMN PAK PSE PHL QAT SAU SGP " \
        "KOR LKA SYR TWN TJK THA TLS TUR TKM ARE UZB VNM YEM"
    regions["Europe"] = "ALA ALB AND AUT BLR BEL BIH BGR HRV CZE DNK EST FRO FIN FRA DEU GIB " \
        "GRC GGY VAT HUN ISL IRL IMN ITA JEY LVA LIE LTU LUX MLT MDA MCO MNE NLD MKD NOR POL " \
        "PRT ROU RUS SMR SRB SVK SVN ESP SJM SWE CHE UKR GBR"
    regions["Oceania"] = "ASM AUS CXR CCK COK FJI PYF GUM HMD KIR MHL FSM NRU NCL NZL NIU NFK " \
        "MNP PLW PNG PCN WSM SLB TKL TON TUV UMI VUT WLF"
    regions["Antarctica"] = "ATA"

    # a few states whose status is known; the rest is drawn at random
    known["NOR"] = "party"; known["PER"] = "party"; known["MWI"] = "party"
    known["PHL"] = "party"; known["LAO"] = "party"; known["IRQ"] = "party"
    known["LTU"] = "withdrawn"

    steps = "Follow-up call with the capital|Send the model legislation|" \
            "Invite to the intersessional meeting|Share the survey questionnaire|" \
            "Brief the new ambassador in Geneva|Offer technical assistance on stockpiles|" \
            "Raise at the regional organisation summit|Ask for a voluntary transparency report|" \
            "Meet the parliamentary defence committee|Await reply to the note verbale"
    nsteps = split(steps, step, "|")

    verbs = "Met the delegation of|Bilateral exchange with|Workshop session including|" \
            "Embassy demarche to|Side-event briefing for|Follow-up call with|" \
            "Survey interview with|Parliamentary outreach to|Technical exchange with"
    nverbs = split(verbs, verb, "|")
    topics = "on ratification timelines|on stockpile destruction costs|on the model law|" \
             "on the UNGA First Committee vote|on interim steps and reporting|" \
             "on victim assistance obligations|on security and alliance concerns|" \
             "on national implementation measures|on the next Meeting of States Parties"
    ntopics = split(topics, topic, "|")
    tails = "; positive signals|; no commitment yet|; capital to revert|; needs legal advice|" \
            "; follow-up agreed|; minister briefed|; awaiting interagency review|; very open"
    ntails = split(tails, tail, "|")
}

/"alpha_3":/ {
    c = $0
    sub(/.*"alpha_3": *"/, "", c)
    sub(/".*/, "", c)
    code[++ns] = c
}
/"name":/ && ns > 0 && !(ns in name) {
    nm = $0
    sub(/.*"name": *"/, "", nm)
    sub(/",? *$/, "", nm)
    sub(/,.*/, "", nm) # "Bolivia, Plurinational State of" -> "Bolivia"
    name[ns] = nm
}

END {
    printf "{\"meta\": {\"generator\": \"bench/gen.awk\", \"seed\": %d, \"states\": %d, " \
           "\"activities\": %d},\n\"states\": [\n", seed, ns, n
    for (i = 1; i <= ns; i++) {
        c = code[i]
        if (c in known) {
            st = known[c]
        } else {
            r = rnd(100)
            st = r < 45 ? "party" : r < 50 ? "signatory" : r < 52 ? "withdrawing" : "non-party"
        }
        f = "\"status\":\"" st "\""
        f = f ",\"region\":\"" region_of(c) "\""
        f = f ",\"priority\":\"" pick("high medium medium low low") "\""
        if (st != "party") {
            t = (st == "signatory") ? "signatory" : (st == "withdrawing") ? "withdrawing" : ""
            k = 1 + rnd(3)
            tl = picks(targetcats, k)
            if (t != "" && index(tl, "\"" t "\"") == 0)
                sub(/\]$/, ",\"" t "\"]", tl)
            f = f ",\"targets\":" tl
            f = f ",\"lead\":" picks(members, 1 + rnd(2))
            if (rnd(3) > 0)
                f = f ",\"survey_reasons\":" picks(reasons, 1 + rnd(3))
            f = f ",\"last_contact\":\"" date() "\""
            f = f ",\"next_step\":\"" step[1 + rnd(nsteps)] "\""
        }
        printf "{\"id\":\"%s\",\"fields\":{%s}}%s\n", c, f, i < ns ? "," : ""
    }
    printf "],\n\"activities\": [\n"
    for (i = 1; i <= n; i++) {
        d = date()
        r = rnd(100)
        if (d > "2025-06-30")
            s = r < 90 ? "planned" : "cancelled"
        else
            s = r < 92 ? "done" : r < 96 ? "cancelled" : "planned"
        k = 1 + rnd(3)
        stl = ""
        for (j = 1; j <= k; j++)
            sidx[j] = 1 + rnd(ns)
        for (j = 1; j <= k; j++) { # distinct, in order
            dup = 0
            for (q = 1; q < j; q++)
                if (sidx[q] == sidx[j])
                    dup = 1
            if (!dup)
                stl = stl (stl == "" ? "" : ",") "\"" code[sidx[j]] "\""
        }
        sm = verb[1 + rnd(nverbs)] " " name[sidx[1]] " " topic[1 + rnd(ntopics)] \
             tail[1 + rnd(ntails)]
        printf "{\"fields\":{\"type\":\"%s\",\"date\":\"%s\",\"status\":\"%s\",\"states\":[%s]," \
               "\"by\":%s,\"summary\":\"%s\"}}%s\n", pick(types), d, s, stl,
               picks(members, 1 + rnd(2)), sm, i < n ? "," : ""
    }
    printf "]}\n"
}
