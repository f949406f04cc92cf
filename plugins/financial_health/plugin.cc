// Exports FinancialHealth as the financial_health plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "financial_health.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::FinancialHealth)
