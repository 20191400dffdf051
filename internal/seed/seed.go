// Package seed fills a jobordre database with a realistic synthetic data set: companies, job
// orders across all 98 municipalities by population, their history, candidates and referrals,
// and the key-figure facts and aggregates built from exactly those rows (internal/kpi). It writes
// directly to the tables, not through the workflows: `jobordre seed` and the KPI benchmark use it.
//
// Everything personal is obviously synthetic ("Syntetisk Kandidat 0000123",
// kandidat-0000123@example.invalid); CVR numbers pass the modulus-11 check but are generated.
package seed

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"jobordre/internal/kpi"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/internal/store"
	"jobordre/models"
)

// DefaultSpan is how far back orders are created by default: three years.
const DefaultSpan = 3 * 365 * 24 * time.Hour

// DefaultBatchSize is how many orders go into one transaction.
const DefaultBatchSize = 5000

// Options configure a seeding run.
type Options struct {
	// Orders is how many job orders to create.
	Orders int
	// Seed makes the data set reproducible: the same seed, Until, Span and database contents give
	// the same rows.
	Seed uint64
	// Until is the end of the span: every order and everything that happens to it is before it
	// (zero: now). Orders are created in [Until-Span, Until).
	Until time.Time
	// Span is how far back orders go (zero: DefaultSpan).
	Span time.Duration
	// BatchSize is how many orders one transaction writes (zero: DefaultBatchSize).
	BatchSize int
	// Append allows seeding a database that already has job orders (synthetic data among real
	// orders would distort their key figures, so it must be asked for).
	Append bool
	// Progress receives a progress bar (nil: none).
	Progress io.Writer

	bulk *bool // tests: force the bulk load on or off
}

// bulkThreshold is the size from which an empty PostgreSQL database is seeded in one bulk
// transaction (indexes dropped and rebuilt, aggregates added once) instead of a transaction per
// batch with kpi.Load.
const bulkThreshold = 50_000

// Stats counts what a run wrote.
type Stats struct {
	Orders, Companies, Candidates, Caseworkers, Events, Referrals int64
	Open, Closed, Filled                                          int64
	From, Until                                                   time.Time
	Elapsed                                                       time.Duration
}

func (st *Stats) count(b *Batch) {
	st.Orders += int64(len(b.Orders))
	st.Companies += int64(len(b.Companies))
	st.Candidates += int64(len(b.Candidates))
	st.Events += int64(len(b.Events))
	st.Referrals += int64(len(b.Referrals))
	for _, f := range b.Facts {
		if f.Status == models.StatusClosed {
			st.Closed++
		} else {
			st.Open++
		}
		st.Filled += int64(f.Filled)
	}
}

// ErrNotEmpty is returned when the database has job orders and Options.Append is not set.
var ErrNotEmpty = errors.New("the database already has job orders")

// Run seeds db (migrated, opened with store.Open) with opts.Orders synthetic orders.
func Run(ctx context.Context, db *gorm.DB, opts Options) (Stats, error) {
	start := time.Now()
	if opts.Orders <= 0 {
		return Stats{}, fmt.Errorf("the number of orders must be positive")
	}
	if opts.Until.IsZero() {
		opts.Until = time.Now()
	}
	if opts.Span <= 0 {
		opts.Span = DefaultSpan
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	// A bulk load's statements are slow by design (COPY, index builds, ANALYZE): only errors are
	// worth logging.
	db = db.Session(&gorm.Session{Context: ctx, Logger: db.Logger.LogMode(logger.Error)})
	var existing int64
	if err := db.Model(&models.JobOrder{}).Count(&existing).Error; err != nil {
		return Stats{}, fmt.Errorf("count job orders: %w", err)
	}
	if existing > 0 && !opts.Append {
		return Stats{}, fmt.Errorf("%w (%d); seed an empty database, or pass --append to add synthetic orders anyway", ErrNotEmpty, existing)
	}
	if err := storeGuidelines(ctx, db); err != nil {
		return Stats{}, err
	}
	env, err := loadEnv(ctx, db, existing)
	if err != nil {
		return Stats{}, err
	}
	gen, err := NewGenerator(opts.Seed, opts.Until, opts.Span, opts.Orders, refdata.Default(), env)
	if err != nil {
		return Stats{}, err
	}
	tabs, err := newTables(db)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{From: gen.From(), Until: gen.Until()}
	cws := gen.Caseworkers()
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(cws, 500).Error; err != nil {
		return Stats{}, fmt.Errorf("store caseworkers: %w", err)
	}
	st.Caseworkers = int64(len(cws))

	postgres := db.Dialector.Name() == "postgres"
	bulk := postgres && existing == 0 && opts.Orders >= bulkThreshold
	if opts.bulk != nil {
		bulk = postgres && *opts.bulk
	}
	bar := newProgress(opts.Progress, opts.Orders)
	consume := func(write func(b *Batch) error) error {
		// The generator runs one batch ahead of the writer, so generating and writing overlap.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		batches := make(chan Batch, 1)
		go func() {
			defer close(batches)
			for done := 0; done < opts.Orders; {
				n := min(opts.BatchSize, opts.Orders-done)
				b := gen.Next(n)
				done += n
				select {
				case batches <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
		for b := range batches {
			if err := write(&b); err != nil {
				cancel()
				for range batches { // let the generator stop
				}
				bar.fail()
				return err
			}
			st.count(&b)
			bar.set(int(st.Orders))
		}
		if err := ctx.Err(); err != nil {
			bar.fail()
			return err
		}
		bar.finish()
		return nil
	}

	if bulk {
		// One transaction: the tables' secondary indexes are dropped, every row is copied, the
		// facts' sum is added to the aggregates once, and the indexes are built again. All or
		// nothing; other sessions wait for the tables until it commits.
		err = db.Connection(func(c *gorm.DB) error {
			conn, ok := c.Statement.ConnPool.(*sql.Conn)
			if !ok {
				return fmt.Errorf("seed: expected a *sql.Conn, got %T", c.Statement.ConnPool)
			}
			return c.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("SET LOCAL maintenance_work_mem = '512MB'").Error; err != nil {
					return err
				}
				idx, err := dropSecondaryIndexes(tx, tabs.names())
				if err != nil {
					return err
				}
				delta := kpi.NewDelta()
				w := copyWriter(ctx, conn)
				if err := consume(func(b *Batch) error {
					if err := writeSources(ctx, w, tabs, b, true); err != nil {
						return err
					}
					for i := range b.Facts {
						delta.Add(&b.Facts[i], +1)
					}
					return nil
				}); err != nil {
					return err
				}
				bar.note("adding the facts to the key-figure aggregates")
				if err := delta.Apply(ctx, tx); err != nil {
					return err
				}
				bar.note(fmt.Sprintf("building %d indexes", len(idx)))
				return createIndexes(tx, idx)
			})
		})
	} else {
		// A transaction per batch: its rows, then its facts and their aggregates by kpi.Load.
		err = consume(func(b *Batch) error {
			return db.Connection(func(c *gorm.DB) error {
				conn, ok := c.Statement.ConnPool.(*sql.Conn)
				if !ok {
					return fmt.Errorf("seed: expected a *sql.Conn, got %T", c.Statement.ConnPool)
				}
				return c.Transaction(func(tx *gorm.DB) error {
					w := insertWriter(tx)
					if postgres {
						w = copyWriter(ctx, conn)
					}
					if err := writeSources(ctx, w, tabs, b, false); err != nil {
						return err
					}
					return kpi.Load(ctx, tx, b.Facts)
				})
			})
		})
	}
	if err != nil {
		if bulk { // rolled back: nothing was written
			st = Stats{From: st.From, Until: st.Until, Caseworkers: st.Caseworkers}
		}
		return st, err
	}
	if postgres {
		bar.note("analyzing the tables")
		// Fresh statistics, so the planner knows the tables grew by a million rows.
		for _, t := range []string{"companies", "candidates", "job_orders", "job_order_events", "referrals",
			"job_order_facts", "kpi_monthly", "kpi_monthly_industries", "kpi_monthly_occupations", "kpi_monthly_referral_hours"} {
			if err := db.Exec("ANALYZE " + t).Error; err != nil {
				return st, fmt.Errorf("analyze %s: %w", t, err)
			}
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// GuidelinePolicy is the policy the seeder gives every job centre that has none: the shipped
// defaults plus the sharing guideline many job centres set (neighbours after 3 working days,
// national after 10). The shipped defaults share nothing automatically (STAR's guide); without
// a guideline the synthetic data would have no sharing promises for the key figures to measure.
func GuidelinePolicy() policy.Policy {
	p := policy.Defaults()
	p.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours},
		{After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	return p
}

// storeGuidelines stores GuidelinePolicy for every job centre without a policy of its own.
func storeGuidelines(ctx context.Context, db *gorm.DB) error {
	doc, err := json.Marshal(GuidelinePolicy())
	if err != nil {
		return err
	}
	var codes []string
	if err := db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code NOT IN (SELECT jobcenter FROM jobcenter_policies)").
		Order("code").Pluck("code", &codes).Error; err != nil {
		return fmt.Errorf("find job centres without a policy: %w", err)
	}
	rows := make([]models.JobcenterPolicy, 0, len(codes))
	for _, c := range codes {
		rows = append(rows, models.JobcenterPolicy{Jobcenter: c, Document: string(doc), UpdatedBy: "seed", UpdatedAt: time.Now().UTC()})
	}
	if len(rows) == 0 {
		return nil
	}
	return db.WithContext(ctx).Create(&rows).Error
}

// loadEnv reads what the generator must respect: which job centre serves each municipality (a
// merged job centre serves several), each job centre's policy, the CVR numbers in use.
func loadEnv(ctx context.Context, db *gorm.DB, existingOrders int64) (Env, error) {
	env := Env{Jobcenter: map[string]string{}, Policies: map[string]policy.Policy{}, TakenCVRs: map[string]bool{}, Stream: uint64(existingOrders)}
	var links []models.JobcenterMunicipality
	if err := db.Find(&links).Error; err != nil {
		return env, fmt.Errorf("load job centres: %w", err)
	}
	for _, l := range links {
		env.Jobcenter[l.MunicipalityCode] = l.JobcenterCode
	}
	for _, m := range refdata.Default().Municipalities() {
		jc := env.Jobcenter[m.Code]
		if jc == "" {
			jc = m.Code
		}
		if _, ok := env.Policies[jc]; ok {
			continue
		}
		p, err := store.LoadPolicy(ctx, db, jc)
		if err != nil {
			return env, err
		}
		env.Policies[jc] = p
	}
	var cvrs []string
	if err := db.Model(&models.Company{}).Pluck("cvr", &cvrs).Error; err != nil {
		return env, fmt.Errorf("load companies: %w", err)
	}
	for _, c := range cvrs {
		env.TakenCVRs[c] = true
	}
	return env, nil
}
