/*
 * world.c - the constant tables of `catwalk demo`: Harbourside
 * Insurance Group, its five teams, 35 applications and their people.
 *
 * The per-application numbers are what make the metrics interesting: four
 * elite applications deploy several times a day with a change failure rate
 * around 3-5 %, a mainframe deploys once every few months, and a few weak
 * weekly/monthly applications fail one deployment in four.  The two teams
 * on ServiceNow (Policy Admin, Billing & Payments) behave like older IT
 * departments; the three on PagerDuty like product teams.
 */
#include "internal.h"

#include <string.h>

const char *const cw_demo_zone_names[CW_DEMO_N_ZONES] = {
    [CW_DEMO_LONDON] = "Europe/London",
    [CW_DEMO_WARSAW] = "Europe/Warsaw",
    [CW_DEMO_KOLKATA] = "Asia/Kolkata",
    [CW_DEMO_NEW_YORK] = "America/New_York",
    [CW_DEMO_UTC] = "UTC",
};

static const cw_demo_person policy_people[] = {
    {"Amelia Hartley", "amelia.hartley@harbourside.example", CW_DEMO_LONDON},
    {"Rajesh Patel", "rajesh.patel@harbourside.example", CW_DEMO_LONDON},
    {"Siobh\u00e1n O'Neill", "siobhan.oneill@harbourside.example", CW_DEMO_LONDON},
    {"Tom Whitaker", "tom.whitaker@harbourside.example", CW_DEMO_LONDON},
    {"Grace Okafor", "grace.okafor@harbourside.example", CW_DEMO_LONDON},
    {"Dmitri Volkov", "dmitri.volkov@harbourside.example", CW_DEMO_WARSAW},
    {"Hannah Brooks", "hannah.brooks@harbourside.example", CW_DEMO_LONDON},
};

static const cw_demo_person claims_people[] = {
    {"Oliver Bennett", "oliver.bennett@harbourside.example", CW_DEMO_LONDON},
    {"Chloe Nguyen", "chloe.nguyen@harbourside.example", CW_DEMO_LONDON},
    {"Marcus Reid", "marcus.reid@harbourside.example", CW_DEMO_LONDON},
    {"Zo\u00eb Ashworth", "zoe.ashworth@harbourside.example", CW_DEMO_LONDON},
    {"Ibrahim Khan", "ibrahim.khan@harbourside.example", CW_DEMO_LONDON},
    {"Lucy Fraser", "lucy.fraser@harbourside.example", CW_DEMO_LONDON},
    {"Kwame Mensah", "kwame.mensah@harbourside.example", CW_DEMO_LONDON},
};

static const cw_demo_person billing_people[] = {
    {"James Carter", "james.carter@harbourside.example", CW_DEMO_NEW_YORK},
    {"Fatima Rahman", "fatima.rahman@harbourside.example", CW_DEMO_LONDON},
    {"Peter Lindqvist", "peter.lindqvist@harbourside.example", CW_DEMO_LONDON},
    {"Aoife Murphy", "aoife.murphy@harbourside.example", CW_DEMO_LONDON},
    {"Daniel Hughes", "daniel.hughes@harbourside.example", CW_DEMO_LONDON},
    {"Ngozi Adeyemi", "ngozi.adeyemi@harbourside.example", CW_DEMO_LONDON},
    {"Sam Taylor", "sam.taylor@harbourside.example", CW_DEMO_LONDON},
};

static const cw_demo_person digital_people[] = {
    {"\u0141ukasz Nowak", "lukasz.nowak@harbourside.example", CW_DEMO_WARSAW},
    {"Katarzyna Wi\u015bniewska", "katarzyna.wisniewska@harbourside.example", CW_DEMO_WARSAW},
    {"Ewan MacLeod", "ewan.macleod@harbourside.example", CW_DEMO_LONDON},
    {"Mia Schr\u00f6der", "mia.schroder@harbourside.example", CW_DEMO_LONDON},
    {"Piotr Zieli\u0144ski", "piotr.zielinski@harbourside.example", CW_DEMO_WARSAW},
    {"Ella Robinson", "ella.robinson@harbourside.example", CW_DEMO_LONDON},
    {"Jakub Kowalczyk", "jakub.kowalczyk@harbourside.example", CW_DEMO_WARSAW},
};

static const cw_demo_person data_people[] = {
    {"Priya Raghunathan", "priya.raghunathan@harbourside.example", CW_DEMO_KOLKATA},
    {"Arjun Mehta", "arjun.mehta@harbourside.example", CW_DEMO_KOLKATA},
    {"Sneha Iyer", "sneha.iyer@harbourside.example", CW_DEMO_KOLKATA},
    {"Neil Ferguson", "neil.ferguson@harbourside.example", CW_DEMO_LONDON},
    {"Ananya Das", "ananya.das@harbourside.example", CW_DEMO_KOLKATA},
    {"Ben Holloway", "ben.holloway@harbourside.example", CW_DEMO_LONDON},
    {"Vikram Nair", "vikram.nair@harbourside.example", CW_DEMO_KOLKATA},
};

static const char *const policy_topics[] = {
    "policy renewal", "mid-term adjustment", "cancellation refund", "endorsement wording",
    "policy schedule PDF", "no-claims discount", "premium breakdown", "cover start date",
    "named driver", "address change", "underwriting referral", "IPT calculation",
    "quote expiry", "product version", "rating factors", "buildings cover limit",
};

static const char *const claims_topics[] = {
    "FNOL date", "claim reserve", "photo upload", "third-party details", "excess calculation",
    "loss adjuster assignment", "claim status page", "repairer booking", "fraud score",
    "settlement payment", "windscreen claim", "claim notes", "police reference",
    "courtesy car", "total loss valuation", "claim handler queue",
};

static const char *const billing_topics[] = {
    "direct debit mandate", "instalment plan", "card payment", "refund", "BACS file",
    "arrears letter", "invoice PDF", "commission statement", "ledger posting", "payment retry",
    "3-D Secure challenge", "premium finance", "IBAN validation", "payment reconciliation",
    "dunning schedule", "credit note",
};

static const char *const digital_topics[] = {
    "login page", "quote journey", "document download", "push notifications",
    "broker dashboard", "password reset", "renewal reminder", "form accessibility",
    "cookie banner", "MFA enrolment", "chatbot handover", "address lookup",
    "saved quotes", "payment page", "policy documents tab", "dark mode",
};

static const char *const data_topics[] = {
    "nightly load", "customer match rules", "Kafka consumer lag", "S3 retention",
    "API rate limiting", "feature store", "claims mart", "BI extract", "schema registry",
    "Terraform modules", "TLS certificates", "pricing model export", "dbt models",
    "Airflow DAG retries", "data quality checks", "gateway routing",
};

#define TEAM(n, z, o, p, t) { n, z, o, p, CW_DEMO_COUNT(p), t, CW_DEMO_COUNT(t) }

const cw_demo_team cw_demo_teams[] = {
    TEAM("Policy Admin", CW_DEMO_LONDON, CW_DEMO_SERVICENOW, policy_people, policy_topics),
    TEAM("Claims", CW_DEMO_LONDON, CW_DEMO_PAGERDUTY, claims_people, claims_topics),
    TEAM("Billing & Payments", CW_DEMO_LONDON, CW_DEMO_SERVICENOW, billing_people, billing_topics),
    TEAM("Digital Channels", CW_DEMO_WARSAW, CW_DEMO_PAGERDUTY, digital_people, digital_topics),
    TEAM("Data & Platform", CW_DEMO_KOLKATA, CW_DEMO_PAGERDUTY, data_people, data_topics),
};
const size_t cw_demo_n_teams = CW_DEMO_COUNT(cw_demo_teams);

/* name, project, project name, service, stem, team, cadence, language,
 * tickets/week, incident chance per deployment, restore mean h, review mean h,
 * failed production run chance */
const cw_demo_app cw_demo_apps[] = {
    {"policy-admin-core", "POLADM", "Policy Admin Core", "Policy Admin Core", "Policy", 0,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 9, 0.14, 6, 20, 0.06},
    {"mainframe-policy", "MFPOL", "Mainframe Policy", "Mainframe Policy Batch", "POL", 0,
     CW_DEMO_QUARTERLY, CW_DEMO_COBOL, 3, 0.30, 14, 40, 0.10},
    {"quote-engine", "QUOTE", "Quote Engine", "Quote Engine", "Quote", 0,
     CW_DEMO_DAILY, CW_DEMO_JAVA, 8, 0.08, 3, 8, 0.04},
    {"rating-service", "RATE", "Rating Service", "Rating Service", "Rating", 0,
     CW_DEMO_DAILY, CW_DEMO_KOTLIN, 7, 0.07, 2, 6, 0.03},
    {"underwriting-rules", "UWR", "Underwriting Rules", "Underwriting Rules", "Underwriting", 0,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 5, 0.12, 5, 24, 0.05},
    {"product-catalog", "PCAT", "Product Catalogue", "Product Catalogue", "Product", 0,
     CW_DEMO_MONTHLY, CW_DEMO_JAVA, 4, 0.22, 10, 30, 0.08},
    {"document-service", "DOCS", "Document Service", "Document Service", "Document", 0,
     CW_DEMO_DAILY, CW_DEMO_JAVA, 6, 0.09, 3, 10, 0.04},

    {"claims-intake", "CLAIMS", "Claims Intake", "Claims Intake API", "Claim", 1,
     CW_DEMO_ELITE, CW_DEMO_JAVA, 18, 0.035, 0.7, 2, 0.02},
    {"fnol-portal", "FNOL", "FNOL Portal", "FNOL Portal", "Fnol", 1,
     CW_DEMO_ELITE, CW_DEMO_TS, 16, 0.04, 0.8, 2, 0.02},
    {"claims-core", "CLMCORE", "Claims Core", "Claims Core", "ClaimCase", 1,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 9, 0.15, 6, 20, 0.06},
    {"fraud-scoring", "FRAUD", "Fraud Scoring", "Fraud Scoring", "fraud", 1,
     CW_DEMO_DAILY, CW_DEMO_PY, 6, 0.08, 2, 8, 0.03},
    {"claims-payments", "CLPAY", "Claims Payments", "Claims Payments", "Settlement", 1,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 5, 0.18, 8, 24, 0.06},
    {"repair-network", "REPAIR", "Repair Network", "Repair Network", "Repairer", 1,
     CW_DEMO_MONTHLY, CW_DEMO_TS, 4, 0.25, 12, 30, 0.08},
    {"claims-documents", "CLDOC", "Claims Documents", "Claims Documents", "ClaimDocument", 1,
     CW_DEMO_DAILY, CW_DEMO_JAVA, 5, 0.10, 3, 10, 0.04},

    {"billing-engine", "BILL", "Billing Engine", "Billing Engine", "Billing", 2,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 9, 0.16, 6, 24, 0.06},
    {"payments-gateway", "PAYGW", "Payments Gateway", "Payments Gateway", "payment", 2,
     CW_DEMO_DAILY, CW_DEMO_GO, 8, 0.06, 1.5, 6, 0.03},
    {"direct-debit", "DDEBIT", "Direct Debit", "Direct Debit", "Mandate", 2,
     CW_DEMO_MONTHLY, CW_DEMO_JAVA, 4, 0.22, 10, 30, 0.07},
    {"invoicing-service", "INVOICE", "Invoicing", "Invoicing", "Invoice", 2,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 5, 0.12, 5, 20, 0.05},
    {"collections", "COLL", "Collections", "Collections", "Arrears", 2,
     CW_DEMO_MONTHLY, CW_DEMO_JAVA, 3, 0.25, 16, 36, 0.08},
    {"commission-service", "COMM", "Broker Commission", "Broker Commission", "Commission", 2,
     CW_DEMO_MONTHLY, CW_DEMO_JAVA, 3, 0.20, 12, 30, 0.07},
    {"ledger-bridge", "LEDGER", "Ledger Bridge", "Ledger Bridge", "Ledger", 2,
     CW_DEMO_WEEKLY, CW_DEMO_JAVA, 4, 0.28, 10, 30, 0.10},

    {"customer-app", "CAPP", "Customer App", "Customer App", "Customer", 3,
     CW_DEMO_ELITE, CW_DEMO_TS, 17, 0.03, 0.6, 1.5, 0.02},
    {"customer-portal", "CPORT", "Customer Portal", "Customer Portal", "Portal", 3,
     CW_DEMO_ELITE, CW_DEMO_TS, 15, 0.045, 0.8, 2, 0.02},
    {"broker-portal", "BROKER", "Broker Portal", "Broker Portal", "Broker", 3,
     CW_DEMO_DAILY, CW_DEMO_TS, 9, 0.08, 2, 8, 0.03},
    {"quote-and-buy-web", "QNB", "Quote and Buy Web", "Quote and Buy Web", "QuoteJourney", 3,
     CW_DEMO_DAILY, CW_DEMO_TS, 8, 0.07, 2, 6, 0.03},
    {"notification-service", "NOTIFY", "Notification Service", "Notification Service", "notify", 3,
     CW_DEMO_DAILY, CW_DEMO_GO, 5, 0.08, 2, 8, 0.03},
    {"chatbot", "CHAT", "Chatbot", "Chatbot", "dialogue", 3,
     CW_DEMO_WEEKLY, CW_DEMO_PY, 4, 0.14, 5, 20, 0.05},
    {"identity-service", "IDENT", "Identity Service", "Identity Service", "identity", 3,
     CW_DEMO_WEEKLY, CW_DEMO_GO, 4, 0.10, 3, 16, 0.05},

    {"api-gateway", "APIGW", "API Gateway", "API Gateway", "gateway", 4,
     CW_DEMO_DAILY, CW_DEMO_GO, 6, 0.06, 1, 6, 0.03},
    {"event-bus", "EVBUS", "Event Bus", "Event Bus", "events", 4,
     CW_DEMO_WEEKLY, CW_DEMO_GO, 4, 0.10, 3, 16, 0.05},
    {"data-warehouse-etl", "DWH", "Data Warehouse ETL", "Data Warehouse ETL", "warehouse", 4,
     CW_DEMO_WEEKLY, CW_DEMO_PY, 7, 0.20, 10, 24, 0.07},
    {"customer-360", "C360", "Customer 360", "Customer 360", "customer360", 4,
     CW_DEMO_WEEKLY, CW_DEMO_PY, 5, 0.15, 8, 24, 0.06},
    {"reporting-hub", "RPTHUB", "Reporting Hub", "Reporting Hub", "reporting", 4,
     CW_DEMO_MONTHLY, CW_DEMO_PY, 4, 0.24, 12, 30, 0.08},
    {"pricing-analytics", "PRICING", "Pricing Analytics", "Pricing Analytics", "pricing", 4,
     CW_DEMO_MONTHLY, CW_DEMO_PY, 3, 0.22, 10, 30, 0.07},
    {"platform-config", "PCONF", "Platform Config", "Platform Config", "config", 4,
     CW_DEMO_DAILY, CW_DEMO_GO, 4, 0.07, 1.5, 6, 0.03},
};
const size_t cw_demo_n_apps = CW_DEMO_COUNT(cw_demo_apps);

const char *const cw_demo_unmapped_services[] = { "Corporate VPN", "Office 365" };
const size_t cw_demo_n_unmapped_services = CW_DEMO_COUNT(cw_demo_unmapped_services);

/* The workflow.  "In Review" is configured as a wait state: a pull request
 * waiting for a reviewer is the classic queue of a value stream map, and
 * Blocked and Ready for Release (tested, waiting for the release train) are
 * queues by definition.  QA is active testing. */
const cw_demo_status_info cw_demo_statuses[CW_DEMO_N_STATUS] = {
    [CW_DEMO_BACKLOG] = {"Backlog", "10000", "new", "todo"},
    [CW_DEMO_SELECTED] = {"Selected for Development", "10001", "new", "todo"},
    [CW_DEMO_IN_PROGRESS] = {"In Progress", "3", "indeterminate", "in_progress"},
    [CW_DEMO_IN_REVIEW] = {"In Review", "10002", "indeterminate", "wait"},
    [CW_DEMO_BLOCKED] = {"Blocked", "10003", "indeterminate", "wait"},
    [CW_DEMO_QA] = {"QA", "10004", "indeterminate", "in_progress"},
    [CW_DEMO_READY] = {"Ready for Release", "10006", "indeterminate", "wait"},
    [CW_DEMO_DONE] = {"Done", "10005", "done", "done"},
    [CW_DEMO_SECURITY_REVIEW] = {"Security Review", "10007", "indeterminate", "wait"},
    [CW_DEMO_CAB] = {"CAB Approval", "10008", "indeterminate", "wait"},
};

const char *const cw_demo_type_names[CW_DEMO_N_TYPES] = {
    [CW_DEMO_STORY] = "Story",
    [CW_DEMO_BUG] = "Bug",
    [CW_DEMO_TASK] = "Task",
    [CW_DEMO_SECURITY] = "Security",
    [CW_DEMO_TECH_DEBT] = "Tech Debt",
    [CW_DEMO_EPIC] = "Epic",
    [CW_DEMO_SUBTASK] = "Sub-task",
    [CW_DEMO_INITIATIVE] = "Initiative",
};

/* The themes: Initiatives of the portfolio project, parents of the epics. */
const char *const cw_demo_initiatives[CW_DEMO_N_INITIATIVES] = {
    "Consumer Duty compliance", "Digital self-service", "Claims automation",
    "Payments modernisation", "Cloud migration", "Customer data platform",
};

/* Gates: the regulated money-moving and identity applications pass a
 * Security Review and a change advisory board; the policy back office and
 * the mainframe need CAB approval only; a few others a security review. */
unsigned cw_demo_app_gates(const cw_demo_app *app)
{
    static const struct { const char *name; unsigned gates; } table[] = {
        {"payments-gateway", CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB},
        {"billing-engine", CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB},
        {"direct-debit", CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB},
        {"claims-payments", CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB},
        {"identity-service", CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB},
        {"policy-admin-core", CW_DEMO_GATE_CAB}, {"mainframe-policy", CW_DEMO_GATE_CAB},
        {"ledger-bridge", CW_DEMO_GATE_CAB}, {"underwriting-rules", CW_DEMO_GATE_CAB},
        {"api-gateway", CW_DEMO_GATE_SECURITY}, {"broker-portal", CW_DEMO_GATE_SECURITY},
    };
    for (size_t i = 0; i < CW_DEMO_COUNT(table); i++)
        if (strcmp(table[i].name, app->name) == 0)
            return table[i].gates;
    return 0;
}

/* Two elite applications of one team side by side (claims-intake and
 * fnol-portal, customer-app and customer-portal) share epics: some of the
 * second one's items belong to the first one's epics. */
int cw_demo_epic_partner(const cw_demo_world *w, int i)
{
    const cw_demo_app *a, *b;
    if (i <= 0 || (size_t)i >= w->n_apps)
        return -1;
    a = &w->apps[i - 1];
    b = &w->apps[i];
    return a->team == b->team && a->cadence == CW_DEMO_ELITE && b->cadence == CW_DEMO_ELITE &&
           (i < 2 || w->apps[i - 2].team != a->team || w->apps[i - 2].cadence != CW_DEMO_ELITE) ? i - 1 : -1;
}

int cw_demo_uses_epic_link(int i)
{
    return i == 0;
}

int cw_demo_has_versions(const cw_demo_app *app)
{
    return app->cadence == CW_DEMO_WEEKLY || app->cadence == CW_DEMO_MONTHLY ||
           app->cadence == CW_DEMO_QUARTERLY;
}
