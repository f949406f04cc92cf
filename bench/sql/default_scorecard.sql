-- The default scorecard (scorecards/default.yaml) in SQL: what a data team
-- would write instead of calling the service. peer_bench (bench/peer_bench.cc)
-- runs it on PostgreSQL and checks it against the service's scores.
--
-- Input: table `customers`, one row per customer: customer_id, segment, and
-- one double precision column per signal, named as the signal; NULL is a
-- missing value.
-- Output: per customer, score (0-100; NULL when no dimension could score it,
-- which the service reports as an error for that row), band and grade.
--
-- Each dimension follows its plugin (plugins/<name>/*.cc; the formulas are
-- in docs/dimensions/<name>.md) with the parameters the scorecard gives it
-- and the plugin's defaults for the rest. A dimension that cannot score a
-- customer (a required signal missing, or no component with data) is NULL,
-- and missing_data: renormalize shares its weight out among the rest of its
-- group; a group with no dimension left shares its weight out among the
-- groups. min_coverage only warns in the service, so it is not here.
--
-- How it is written, and why:
-- - Layers as CTEs: each dimension's flag (can it score?) and component
--   sub-scores; each dimension's weighted mean of the components present;
--   its score after penalties; the groups; the total with the support_floor
--   gate; the band. PostgreSQL inlines the CTEs into one expression per
--   output column, evaluated in the parallel workers' scan.
-- - Inlining substitutes a column's expression wherever it is used, so an
--   expensive column is used once: weights are renormalized with the flags
--   (cheap tests on the raw signals), not with "score IS NULL"; a penalty
--   capped at what is left is "CASE ... THEN GREATEST(base - p, 0) ELSE base",
--   not "base - LEAST(p, base)". (Written naively, the same query takes ~1 ms
--   a customer: every layer multiplies the work of the one below.)
-- - The score is fenced (OFFSET 0): the band and grade read it, and must not
--   recompute it. Only that cheap step runs in the leader.
-- - "LEAST(100, GREATEST(0, x))" clamps to 0-100 and is only applied where x
--   cannot be NULL: GREATEST and LEAST skip NULLs (LEAST(NULL, 15) is 15).
-- - Decimal constants carry ::float8, so no numeric arithmetic runs per row.
WITH
sub AS (
  SELECT
    *,
    -- Which dimensions can score the customer: their required signals are
    -- present, and at least one component has data.
    feature_adoption_pct IS NOT NULL AS pa_ok,
    COALESCE(feature_reports_use_pct, feature_integrations_use_pct,
             feature_dashboards_use_pct, feature_adoption_pct) IS NOT NULL
      AS fa_ok,
    revenue_growth_pct IS NOT NULL AS fh_ok,
    support_tickets_90d IS NOT NULL AS sh_ok,
    csat_90d_pct IS NOT NULL AS sa_ok,
    days_since_last_contact IS NOT NULL AS rh_ok,
    -- days_to_contract_end is required though it does not move the score
    -- (it chooses the renewal action).
    days_to_contract_end IS NOT NULL AND usage_change_30d_pct IS NOT NULL
      AS rr_ok,
    COALESCE(email_open_rate_pct, social_interactions_30d,
             events_attended_90d) IS NOT NULL AS en_ok,
    account_nps IS NOT NULL AS ad_ok,
    seat_utilization_pct IS NOT NULL AS ep_ok,
    COALESCE(site_visits_7d, negative_feedback_30d) IS NOT NULL AS we_ok,
    COALESCE(industry_risk_score, recent_funding_flag, layoffs_pct_12m,
             merger_or_acquisition_flag) IS NOT NULL AS ef_ok,
    months_as_customer IS NOT NULL AS te_ok,

    -- product_adoption. robust_adoption_pct 85 (80 for segment enterprise),
    -- target_logins_30d 20, tiers basic/intermediate/advanced 0.2/0.3/0.5.
    LEAST(100, GREATEST(0, 100 * feature_adoption_pct
      / CASE segment WHEN 'enterprise' THEN 80 ELSE 85 END)) AS pa_adoption,
    CASE WHEN logins_30d IS NOT NULL THEN
      LEAST(100, GREATEST(0, 100 * logins_30d / 20)) END AS pa_logins,
    CASE WHEN basic_feature_use_pct IS NULL THEN 0 ELSE 0.2::float8 END
      + CASE WHEN intermediate_feature_use_pct IS NULL THEN 0
             ELSE 0.3::float8 END
      + CASE WHEN advanced_feature_use_pct IS NULL THEN 0
             ELSE 0.5::float8 END AS pa_tier_weight,
    COALESCE(0.2::float8 * LEAST(100, GREATEST(0, basic_feature_use_pct)), 0)
      + COALESCE(0.3::float8
          * LEAST(100, GREATEST(0, intermediate_feature_use_pct)), 0)
      + COALESCE(0.5::float8
          * LEAST(100, GREATEST(0, advanced_feature_use_pct)), 0)
      AS pa_tier_sum,
    -- Fall of logins against the month before, in percent (NULL: no trend).
    CASE WHEN logins_30d IS NOT NULL AND logins_prev_30d > 0 THEN
      100 * (1 - logins_30d / logins_prev_30d) END AS pa_fall,

    -- feature_adoption. key_features reports:3, integrations:2,
    -- dashboards:1; components key features 0.6, adoption 0.3, feedback 0.1.
    CASE WHEN feature_reports_use_pct IS NULL THEN 0 ELSE 3 END
      + CASE WHEN feature_integrations_use_pct IS NULL THEN 0 ELSE 2 END
      + CASE WHEN feature_dashboards_use_pct IS NULL THEN 0 ELSE 1 END
      AS fa_key_weight,
    COALESCE(3 * LEAST(100, GREATEST(0, feature_reports_use_pct)), 0)
      + COALESCE(2 * LEAST(100, GREATEST(0, feature_integrations_use_pct)), 0)
      + COALESCE(1 * LEAST(100, GREATEST(0, feature_dashboards_use_pct)), 0)
      AS fa_key_sum,

    -- financial_health. Growth ramps from -20% (0) to 20% (100); ATV
    -- benchmark 1000; payments 100 less 10 a late and 25 a failed payment.
    CASE
      WHEN revenue_growth_pct <= -20 THEN 0
      WHEN revenue_growth_pct >= 20 THEN 100
      ELSE 100 * (revenue_growth_pct - -20) / (20 - -20)
    END AS fh_growth,
    LEAST(100, GREATEST(0, 100 * avg_transaction_value / 1000)) AS fh_atv,
    LEAST(100, GREATEST(0, 100 - COALESCE(late_payments_12m * 10, 0)
                               - COALESCE(failed_payments_12m * 25, 0)))
      AS fh_payments,

    -- support_health. Each component falls linearly from 100 at its good
    -- mark to 0 at its poor mark: response 4..24 h, resolution 24..120 h,
    -- volume 10..40 tickets, high severity 0..3, negative tone 10..50%,
    -- escalations 0..2. Weights 0.2, 0.2, 0.15, 0.15, 0.15, 0.15.
    CASE WHEN avg_first_response_hours IS NOT NULL THEN 0.2::float8
      * LEAST(100, GREATEST(0, 100 * (avg_first_response_hours - 24)
                                   / (4 - 24))) ELSE 0 END
      + CASE WHEN avg_resolution_hours IS NOT NULL THEN 0.2::float8
      * LEAST(100, GREATEST(0, 100 * (avg_resolution_hours - 120)
                                   / (24 - 120))) ELSE 0 END
      + 0.15::float8
      * LEAST(100, GREATEST(0, 100 * (support_tickets_90d - 40) / (10 - 40)))
      + CASE WHEN high_severity_tickets_90d IS NOT NULL THEN 0.15::float8
      * LEAST(100, GREATEST(0, 100 * (high_severity_tickets_90d - 3)
                                   / (0 - 3))) ELSE 0 END
      + CASE WHEN negative_tone_tickets_pct IS NOT NULL THEN 0.15::float8
      * LEAST(100, GREATEST(0, 100 * (negative_tone_tickets_pct - 50)
                                   / (10 - 50))) ELSE 0 END
      + CASE WHEN support_escalations_90d IS NOT NULL THEN 0.15::float8
      * LEAST(100, GREATEST(0, 100 * (support_escalations_90d - 2)
                                   / (0 - 2))) ELSE 0 END AS sh_sum,
    CASE WHEN avg_first_response_hours IS NULL THEN 0 ELSE 0.2::float8 END
      + CASE WHEN avg_resolution_hours IS NULL THEN 0 ELSE 0.2::float8 END
      + 0.15::float8
      + CASE WHEN high_severity_tickets_90d IS NULL THEN 0
             ELSE 0.15::float8 END
      + CASE WHEN negative_tone_tickets_pct IS NULL THEN 0
             ELSE 0.15::float8 END
      + CASE WHEN support_escalations_90d IS NULL THEN 0
             ELSE 0.15::float8 END AS sh_weight,
    -- A rise of tickets of 50% or more against the 90 days before (from
    -- none: any rise), with at least 5 tickets, costs 10 * min(1, rise).
    CASE WHEN support_tickets_90d > support_tickets_prev_90d
          AND support_tickets_90d >= 5 THEN
      CASE WHEN support_tickets_prev_90d = 0 THEN 10
           WHEN 100 * (support_tickets_90d - support_tickets_prev_90d)
                  / support_tickets_prev_90d >= 50
             THEN 10 * LEAST(1, 100 * (support_tickets_90d
                                        - support_tickets_prev_90d)
                                  / support_tickets_prev_90d / 100) END
    END AS sh_surge,
    -- 3 or more repeated questions cost 2 each, at most 10.
    CASE WHEN repeat_question_tickets_90d >= 3 THEN
      LEAST(10, 2 * repeat_question_tickets_90d) END AS sh_gap,

    -- satisfaction. CSAT 0.7, net sentiment (-100..100 as 0..100) 0.3.
    LEAST(100, GREATEST(0, csat_90d_pct)) AS sa_csat,
    LEAST(100, GREATEST(0, (feedback_sentiment_net_90d + 100) / 2))
      AS sa_sentiment,

    -- relationship_health. Contact recency 100 at 30 days, 0 at 90;
    -- touchpoints target 6; executive sponsor 100/0; business reviews
    -- target 4; 0.25 each.
    LEAST(100, GREATEST(0, 100 * (days_since_last_contact - 90) / (30 - 90)))
      AS rh_recency,
    LEAST(100, GREATEST(0, 100 * touchpoints_90d / 6)) AS rh_touchpoints,
    CASE WHEN has_executive_sponsor >= 0.5 THEN 100 ELSE 0 END AS rh_sponsor,
    LEAST(100, GREATEST(0, 100 * business_reviews_12m / 4)) AS rh_reviews,
    CASE WHEN touchpoints_90d IS NOT NULL AND touchpoints_prev_90d > 0 THEN
      100 * (1 - touchpoints_90d / touchpoints_prev_90d) END AS rh_fall,

    -- renewal_readiness. Usage change ramps from -30% (0) to 10% (100),
    -- 0.6; communications target 4, 0.4.
    LEAST(100, GREATEST(0, 100 * (usage_change_30d_pct - -30) / (10 - -30)))
      AS rr_usage,
    LEAST(100, GREATEST(0, 100 * customer_communications_30d / 4))
      AS rr_communications,

    -- engagement. Email open rate target 40% (0.4), social interactions 10
    -- (0.3), events 2 (0.3).
    LEAST(100, GREATEST(0, 100 * email_open_rate_pct / 40)) AS en_email,
    LEAST(100, GREATEST(0, 100 * social_interactions_30d / 10)) AS en_social,
    LEAST(100, GREATEST(0, 100 * events_attended_90d / 2)) AS en_events,
    CASE WHEN social_interactions_30d IS NOT NULL
          AND social_interactions_prev_30d > 0 THEN
      100 * (1 - social_interactions_30d / social_interactions_prev_30d) END
      AS en_fall,

    -- advocacy. NPS ramps from -50 (0) to 50 (100), 0.5; referrals target
    -- 2 (0.2), social mentions 3, testimonials 1, reviews 1 (0.1 each).
    CASE
      WHEN account_nps <= -50 THEN 0
      WHEN account_nps >= 50 THEN 100
      ELSE 100 * (account_nps - -50) / (50 - -50)
    END AS ad_nps,
    LEAST(100, GREATEST(0, 100 * referrals_12m / 2)) AS ad_referrals,
    LEAST(100, GREATEST(0, 100 * positive_social_mentions_90d / 3))
      AS ad_mentions,
    LEAST(100, GREATEST(0, 100 * testimonials_12m / 1)) AS ad_testimonials,
    LEAST(100, GREATEST(0, 100 * positive_reviews_12m / 1)) AS ad_reviews,

    -- expansion_potential. Seat utilization ramps from 50% (0) to 90%
    -- (100), 0.5; usage growth from -20% to 20%, 0.3; upsell target 2, 0.2.
    CASE
      WHEN seat_utilization_pct <= 50 THEN 0
      WHEN seat_utilization_pct >= 90 THEN 100
      ELSE 100 * (seat_utilization_pct - 50) / (90 - 50)
    END AS ep_seats,
    CASE
      WHEN usage_growth_90d_pct <= -20 THEN 0
      WHEN usage_growth_90d_pct >= 20 THEN 100
      ELSE 100 * (usage_growth_90d_pct - -20) / (20 - -20)
    END AS ep_growth,
    LEAST(100, GREATEST(0, 100 * upsell_offers_engaged_90d / 2)) AS ep_upsell,

    -- tenure. The curve reaches 90 at 24 months (the gap to 100 shrinks
    -- by 1 - 90/100 every 24 months).
    LEAST(100, GREATEST(0, 100 * (1 - power(1 - 90 / 100::float8,
                                             months_as_customer / 24))))
      AS te_curve
  FROM customers
),

base AS (
  SELECT
    *,
    -- Each dimension's weighted mean of the components present (the
    -- weights renormalized over them), clamped. Only read where the
    -- dimension's flag is set.
    LEAST(100, GREATEST(0,
      (0.5::float8 * pa_adoption
        + COALESCE(0.25::float8 * pa_logins, 0)
        + CASE WHEN pa_tier_weight > 0
            THEN 0.25::float8 * (pa_tier_sum / pa_tier_weight) ELSE 0 END)
      / (0.5::float8
        + CASE WHEN logins_30d IS NULL THEN 0 ELSE 0.25::float8 END
        + CASE WHEN pa_tier_weight > 0 THEN 0.25::float8 ELSE 0 END)))
      AS pa_base,

    CASE WHEN fa_ok THEN LEAST(100, GREATEST(0,
      (CASE WHEN fa_key_weight > 0
         THEN 0.6::float8 * (fa_key_sum / fa_key_weight) ELSE 0 END
        + COALESCE(0.3::float8
            * LEAST(100, GREATEST(0, feature_adoption_pct)), 0)
        + COALESCE(0.1::float8
            * LEAST(100, GREATEST(0, feature_feedback_positive_pct)), 0))
      / (CASE WHEN fa_key_weight > 0 THEN 0.6::float8 ELSE 0 END
        + CASE WHEN feature_adoption_pct IS NULL THEN 0 ELSE 0.3::float8 END
        + CASE WHEN feature_feedback_positive_pct IS NULL THEN 0
               ELSE 0.1::float8 END))) END AS feature_adoption,

    CASE WHEN fh_ok THEN LEAST(100, GREATEST(0,
      (0.4::float8 * fh_growth
        + CASE WHEN avg_transaction_value IS NULL THEN 0
               ELSE 0.2::float8 * fh_atv END
        + CASE WHEN late_payments_12m IS NULL
                AND failed_payments_12m IS NULL THEN 0
               ELSE 0.4::float8 * fh_payments END)
      / (0.4::float8
        + CASE WHEN avg_transaction_value IS NULL THEN 0 ELSE 0.2::float8 END
        + CASE WHEN late_payments_12m IS NULL
                AND failed_payments_12m IS NULL THEN 0
               ELSE 0.4::float8 END))) END AS financial_health,

    LEAST(100, GREATEST(0, sh_sum / sh_weight)) AS sh_base,

    LEAST(100, GREATEST(0,
      (0.7::float8 * sa_csat + COALESCE(0.3::float8 * sa_sentiment, 0))
      / (0.7::float8 + CASE WHEN feedback_sentiment_net_90d IS NULL THEN 0
                            ELSE 0.3::float8 END))) AS sa_base,

    LEAST(100, GREATEST(0,
      (0.25::float8 * rh_recency
        + COALESCE(0.25::float8 * rh_touchpoints, 0)
        + CASE WHEN has_executive_sponsor IS NULL THEN 0
               ELSE 0.25::float8 * rh_sponsor END
        + COALESCE(0.25::float8 * rh_reviews, 0))
      / (0.25::float8
        + CASE WHEN touchpoints_90d IS NULL THEN 0 ELSE 0.25::float8 END
        + CASE WHEN has_executive_sponsor IS NULL THEN 0
               ELSE 0.25::float8 END
        + CASE WHEN business_reviews_12m IS NULL THEN 0
               ELSE 0.25::float8 END))) AS rh_base,

    CASE WHEN rr_ok THEN LEAST(100, GREATEST(0,
      (0.6::float8 * rr_usage + COALESCE(0.4::float8 * rr_communications, 0))
      / (0.6::float8 + CASE WHEN customer_communications_30d IS NULL THEN 0
                            ELSE 0.4::float8 END))) END
      AS renewal_readiness,

    LEAST(100, GREATEST(0,
      (COALESCE(0.4::float8 * en_email, 0)
        + COALESCE(0.3::float8 * en_social, 0)
        + COALESCE(0.3::float8 * en_events, 0))
      / NULLIF(CASE WHEN email_open_rate_pct IS NULL THEN 0
                    ELSE 0.4::float8 END
        + CASE WHEN social_interactions_30d IS NULL THEN 0
               ELSE 0.3::float8 END
        + CASE WHEN events_attended_90d IS NULL THEN 0
               ELSE 0.3::float8 END, 0))) AS en_base,

    LEAST(100, GREATEST(0,
      (0.5::float8 * ad_nps
        + COALESCE(0.2::float8 * ad_referrals, 0)
        + COALESCE(0.1::float8 * ad_mentions, 0)
        + COALESCE(0.1::float8 * ad_testimonials, 0)
        + COALESCE(0.1::float8 * ad_reviews, 0))
      / (0.5::float8
        + CASE WHEN referrals_12m IS NULL THEN 0 ELSE 0.2::float8 END
        + CASE WHEN positive_social_mentions_90d IS NULL THEN 0
               ELSE 0.1::float8 END
        + CASE WHEN testimonials_12m IS NULL THEN 0 ELSE 0.1::float8 END
        + CASE WHEN positive_reviews_12m IS NULL THEN 0
               ELSE 0.1::float8 END))) AS ad_base,

    CASE WHEN ep_ok THEN LEAST(100, GREATEST(0,
      (0.5::float8 * ep_seats
        + COALESCE(0.3::float8 * ep_growth, 0)
        + COALESCE(0.2::float8 * ep_upsell, 0))
      / (0.5::float8
        + CASE WHEN usage_growth_90d_pct IS NULL THEN 0 ELSE 0.3::float8 END
        + CASE WHEN upsell_offers_engaged_90d IS NULL THEN 0
               ELSE 0.2::float8 END))) END AS expansion_potential,

    -- web_engagement: the rules written in the scorecard, from base 50. A
    -- rule fires when the signals it reads are present.
    CASE WHEN we_ok THEN LEAST(100, GREATEST(0,
      50
        + CASE WHEN site_visits_7d >= 3 THEN 20 ELSE 0 END    -- regular_visits
        + CASE WHEN site_visits_7d >= 10 THEN 15 ELSE 0 END   -- frequent_visits
        + CASE WHEN site_visits_7d = 0 THEN -25 ELSE 0 END    -- no_visits
        + CASE WHEN negative_feedback_30d = 0 THEN 10 ELSE 0 END
                                                      -- no_negative_feedback
        + CASE WHEN negative_feedback_30d > 0              -- negative_feedback
            THEN -10 * LEAST(negative_feedback_30d, 4) ELSE 0 END)) END
      AS web_engagement,

    -- external_factors: industry risk 100 at 30, 0 at 70 (50 when unknown),
    -- plus 10 for recent funding, less 25 * min(1, layoffs / 20%) for
    -- layoffs of 5% or more, less 15 for a merger or acquisition.
    CASE WHEN ef_ok THEN LEAST(100, GREATEST(0,
      CASE WHEN industry_risk_score IS NULL THEN 50
           ELSE LEAST(100, GREATEST(0,
                  100 * (industry_risk_score - 70) / (30 - 70))) END
        + CASE WHEN recent_funding_flag >= 0.5 THEN 10 ELSE 0 END
        - CASE WHEN layoffs_pct_12m >= 5 AND layoffs_pct_12m > 0
            THEN 25 * LEAST(1, layoffs_pct_12m / 20) ELSE 0 END
        - CASE WHEN merger_or_acquisition_flag >= 0.5 THEN 15 ELSE 0 END))
    END AS external_factors,

    -- tenure: the curve, less up to 10 points in the first 3 months, plus
    -- 5 a renewal (at most 15), at most 100.
    CASE WHEN te_ok THEN LEAST(100,
      CASE WHEN months_as_customer < 3
        THEN GREATEST(te_curve - 10 * (1 - months_as_customer / 3), 0)
        ELSE te_curve END
      + CASE WHEN renewal_count IS NOT NULL
          THEN LEAST(renewal_count * 5, 15) ELSE 0 END) END AS tenure
  FROM sub
),

dim AS (
  SELECT
    *,
    -- Penalties after the weighted means, each capped at what is left of
    -- the score: base - min(p, base) = max(base - p, 0).
    -- product_adoption: a fall of logins of 30% or more costs 10 * fall.
    CASE WHEN NOT pa_ok THEN NULL
         WHEN pa_fall >= 30 THEN GREATEST(pa_base - 10 * pa_fall / 100, 0)
         ELSE pa_base END AS product_adoption,

    -- support_health: the surge, then the education gap.
    CASE WHEN NOT sh_ok THEN NULL
         WHEN sh_surge IS NULL AND sh_gap IS NULL THEN sh_base
         ELSE GREATEST(GREATEST(sh_base - COALESCE(sh_surge, 0), 0)
                       - COALESCE(sh_gap, 0), 0) END AS support_health,

    -- satisfaction: a CSAT drop of 5 points or more costs 0.5 a point, at
    -- most 10.
    CASE WHEN NOT sa_ok THEN NULL
         WHEN csat_prev_90d_pct - csat_90d_pct >= 5
           THEN GREATEST(sa_base - LEAST(0.5::float8
                           * (csat_prev_90d_pct - csat_90d_pct), 10), 0)
         ELSE sa_base END AS satisfaction,

    -- relationship_health: a fall of touchpoints of 50% or more costs
    -- 10 * fall; a new champion costs 15.
    CASE WHEN NOT rh_ok THEN NULL
         WHEN rh_fall >= 50 OR champion_changed_90d >= 0.5 THEN
           GREATEST(GREATEST(rh_base - CASE WHEN rh_fall >= 50
                                          THEN 10 * rh_fall / 100
                                          ELSE 0 END, 0)
                    - CASE WHEN champion_changed_90d >= 0.5 THEN 15
                           ELSE 0 END, 0)
         ELSE rh_base END AS relationship_health,

    -- engagement: a fall of social interactions of 30% or more costs
    -- 10 * fall.
    CASE WHEN NOT en_ok THEN NULL
         WHEN en_fall >= 30 THEN GREATEST(en_base - 10 * en_fall / 100, 0)
         ELSE en_base END AS engagement,

    -- advocacy: an NPS drop of 10 points or more costs 0.25 a point, at
    -- most 10.
    CASE WHEN NOT ad_ok THEN NULL
         WHEN account_nps_prev - account_nps >= 10
           THEN GREATEST(ad_base - LEAST(0.25::float8
                           * (account_nps_prev - account_nps), 10), 0)
         ELSE ad_base END AS advocacy
  FROM base
),

grp AS (
  SELECT
    *,
    -- Each group: the weighted mean of its dimensions that scored (their
    -- scorecard weights); only read where the group has data.
    (COALESCE(15 * product_adoption, 0) + COALESCE(10 * feature_adoption, 0)
      + COALESCE(6 * engagement, 0) + COALESCE(4 * web_engagement, 0))
    / NULLIF(CASE WHEN pa_ok THEN 15 ELSE 0 END
      + CASE WHEN fa_ok THEN 10 ELSE 0 END
      + CASE WHEN en_ok THEN 6 ELSE 0 END
      + CASE WHEN we_ok THEN 4 ELSE 0 END, 0) AS product,
    pa_ok OR fa_ok OR en_ok OR we_ok AS product_ok,
    (COALESCE(15 * financial_health, 0)
      + COALESCE(5 * expansion_potential, 0))
    / NULLIF(CASE WHEN fh_ok THEN 15 ELSE 0 END
      + CASE WHEN ep_ok THEN 5 ELSE 0 END, 0) AS financial,
    fh_ok OR ep_ok AS financial_ok,
    (COALESCE(8 * relationship_health, 0)
      + COALESCE(8 * renewal_readiness, 0)
      + COALESCE(6 * advocacy, 0) + COALESCE(8 * satisfaction, 0))
    / NULLIF(CASE WHEN rh_ok THEN 8 ELSE 0 END
      + CASE WHEN rr_ok THEN 8 ELSE 0 END
      + CASE WHEN ad_ok THEN 6 ELSE 0 END
      + CASE WHEN sa_ok THEN 8 ELSE 0 END, 0) AS relationship,
    rh_ok OR rr_ok OR ad_ok OR sa_ok AS relationship_ok,
    support_health AS service,
    sh_ok AS service_ok,
    (COALESCE(3 * external_factors, 0) + COALESCE(3 * tenure, 0))
    / NULLIF(CASE WHEN ef_ok THEN 3 ELSE 0 END
      + CASE WHEN te_ok THEN 3 ELSE 0 END, 0) AS context,
    ef_ok OR te_ok AS context_ok,
    -- Group weights: the scorecard's, moved by the segment.
    CASE segment WHEN 'enterprise' THEN 30 WHEN 'smb' THEN 45 ELSE 35 END
      AS product_weight,
    CASE segment WHEN 'enterprise' THEN 40 WHEN 'smb' THEN 20 ELSE 30 END
      AS relationship_weight
  FROM dim
),

total AS (
  SELECT
    *,
    -- The weighted mean of the groups with data.
    (COALESCE(product_weight * product, 0) + COALESCE(20 * financial, 0)
      + COALESCE(relationship_weight * relationship, 0)
      + COALESCE(9 * service, 0) + COALESCE(6 * context, 0))
    / NULLIF(CASE WHEN product_ok THEN product_weight ELSE 0 END
      + CASE WHEN financial_ok THEN 20 ELSE 0 END
      + CASE WHEN relationship_ok THEN relationship_weight ELSE 0 END
      + CASE WHEN service_ok THEN 9 ELSE 0 END
      + CASE WHEN context_ok THEN 6 ELSE 0 END, 0) AS mean,
    product_ok OR financial_ok OR relationship_ok OR service_ok OR context_ok
      AS any_ok
  FROM grp
),

scored AS (
  SELECT
    customer_id,
    -- Clamped to 0-100, then the support_floor gate: support health below
    -- 25 caps the score at 45. NULL when no dimension could score the
    -- customer.
    CASE WHEN any_ok THEN
      LEAST(GREATEST(0, mean),
            CASE WHEN support_health < 25 THEN 45 ELSE 100 END) END AS score
  FROM total
  OFFSET 0  -- computed once, in the workers; the band and grade read it
)

SELECT customer_id, score, band, grade
FROM scored
CROSS JOIN LATERAL (
  SELECT
    CASE WHEN score >= 70 THEN 'green' WHEN score >= 50 THEN 'yellow'
         WHEN score IS NOT NULL THEN 'red' END AS band,
    CASE WHEN score >= 80 THEN 'A' WHEN score >= 70 THEN 'B'
         WHEN score >= 50 THEN 'C' WHEN score >= 30 THEN 'D'
         WHEN score IS NOT NULL THEN 'F' END AS grade
) AS banded
