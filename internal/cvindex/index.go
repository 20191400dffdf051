// Package cvindex keeps the search index of candidates' CVs: one candidate_search row per
// candidate (its state, and on PostgreSQL the CV's tsvector in the `danish` configuration), the
// CV's occupations as candidate_occupations rows, and on SQLite (dev) an FTS5 table fed by a
// Snowball Danish stemmer. It only writes and describes the index; internal/candidates searches it.
package cvindex

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"jobordre/models"
)

// CV is a candidate's CV as the job centre mirrors it (stored as JSON in candidates.cv).
type CV struct {
	Headline    string   `json:"headline"`
	Occupations []string `json:"occupations"`
	Experience  string   `json:"experience"`
	Education   string   `json:"education"`
	Skills      []string `json:"skills"`
}

// Free text is searched over the CV's headline (weighted highest), its skills, then experience
// and education:
//
//   - PostgreSQL: candidate_search.search_vector (the whole CV) and headline_vector (the headline),
//     computed by PostgreSQL from the CV's JSON with the `danish` configuration, each with a GIN
//     index.
//   - SQLite (dev): the FTS5 table candidate_fts (candidate_id, headline, body) holding the CV's
//     words stemmed by Terms.
//
// candidate_search and candidate_occupations repeat the candidate's home job centre, whether
// the CV is searchable and active, and when it was last updated, so every search and suggestion
// reads an index in the order it answers in and stops after one page (EnsureSchema's indexes).

// FTSTable is the SQLite FTS5 table of the dev search index.
const FTSTable = "candidate_fts"

// OccupationLexeme is the lexeme a CV's tsvectors hold for each ISCO-08 group (1 to 4 digits)
// its occupations belong to, so words within an occupation are one GIN lookup (PostgreSQL):
// `vector @@ (plainto_tsquery('danish', words) && plainto_tsquery('simple', OccupationLexeme(code)))`.
// The Danish parser never makes such a token out of ordinary text.
func OccupationLexeme(code string) string { return "iscox" + code }

// occupationsSQL is the tsvector of the occupation lexemes of a candidates row c (PostgreSQL).
const occupationsSQL = `array_to_tsvector(ARRAY(SELECT DISTINCT 'iscox' || left(o, n)
	FROM jsonb_array_elements_text(coalesce((c.cv::jsonb)->'occupations', '[]'::jsonb)) AS o, generate_series(1, 4) AS n
	WHERE o ~ '^[0-9]{4}$'))`

// headlineSQL is the tsvector of a candidates row c's headline, vectorSQL of its whole CV, each
// with its occupation lexemes (PostgreSQL).
const headlineSQL = `to_tsvector('danish', coalesce((c.cv::jsonb)->>'headline', '')) || ` + occupationsSQL

const vectorSQL = `setweight(to_tsvector('danish', coalesce((c.cv::jsonb)->>'headline', '')), 'A') ||
	setweight(to_tsvector('danish', coalesce((c.cv::jsonb)->>'skills', '')), 'B') ||
	setweight(to_tsvector('danish', coalesce((c.cv::jsonb)->>'experience', '') || ' ' || coalesce((c.cv::jsonb)->>'education', '')), 'C') || ` + occupationsSQL

// IsPostgres tells whether db talks to PostgreSQL (else SQLite).
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// EnsureSchema creates what the search needs beyond the GORM models (the tsvector column and
// the indexes, or SQLite's FTS5 table) and indexes the candidates stored without an index row
// (before this existed, or by the seeder). It is idempotent: store.Migrate runs it.
func EnsureSchema(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	var stmts []string
	if IsPostgres(db) {
		stmts = append(stmts,
			`ALTER TABLE candidate_search ADD COLUMN IF NOT EXISTS search_vector tsvector NOT NULL DEFAULT ''`,
			`ALTER TABLE candidate_search ADD COLUMN IF NOT EXISTS headline_vector tsvector NOT NULL DEFAULT ''`,
			`CREATE INDEX IF NOT EXISTS idx_candidate_search_vector ON candidate_search USING gin (search_vector)`,
			`CREATE INDEX IF NOT EXISTS idx_candidate_search_headline ON candidate_search USING gin (headline_vector)`)
	} else {
		stmts = append(stmts, `CREATE VIRTUAL TABLE IF NOT EXISTS `+FTSTable+` USING fts5(candidate_id UNINDEXED, headline, body, tokenize = 'unicode61 remove_diacritics 0')`)
	}
	// include makes an index covering on PostgreSQL (an index-only scan filters on the included
	// columns without reading the table); SQLite has no INCLUDE.
	include := func(cols string) string {
		if IsPostgres(db) {
			return " INCLUDE (" + cols + ")"
		}
		return ""
	}
	stmts = append(stmts,
		// Newest first among active CVs, and per home job centre (own candidates, any state).
		`CREATE INDEX IF NOT EXISTS idx_candidate_search_active ON candidate_search (updated_at DESC, candidate_id DESC)`+include("home_jobcenter, searchable, headline_vector")+` WHERE active`,
		`CREATE INDEX IF NOT EXISTS idx_candidate_search_home ON candidate_search (home_jobcenter, updated_at DESC, candidate_id DESC)`+include("searchable, active, headline_vector"),
		// Active CVs of a unit group or minor group, newest first: all, and one job centre's.
		`CREATE INDEX IF NOT EXISTS idx_candidate_occupations_code ON candidate_occupations (code, updated_at DESC, candidate_id DESC)`+include("home_jobcenter, searchable")+` WHERE active`,
		`CREATE INDEX IF NOT EXISTS idx_candidate_occupations_code_home ON candidate_occupations (code, home_jobcenter, updated_at DESC, candidate_id DESC)`+include("searchable")+` WHERE active`,
		`CREATE INDEX IF NOT EXISTS idx_candidate_occupations_minor ON candidate_occupations (minor_group, updated_at DESC, candidate_id DESC)`+include("home_jobcenter, searchable")+` WHERE active AND first_in_minor`,
		`CREATE INDEX IF NOT EXISTS idx_candidate_occupations_minor_home ON candidate_occupations (minor_group, home_jobcenter, updated_at DESC, candidate_id DESC)`+include("searchable")+` WHERE active AND first_in_minor`,
	)
	for _, stmt := range stmts {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("candidate search schema: %w", err)
		}
	}
	return Backfill(ctx, db)
}

// Backfill indexes every candidate that has no candidate_search row yet (stored before the index
// existed, or written in bulk by the seeder, which writes the occupation rows itself).
func Backfill(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if !IsPostgres(db) {
		var missing []models.Candidate
		if err := db.Where("id NOT IN (SELECT candidate_id FROM candidate_search)").Order("id").Find(&missing).Error; err != nil {
			return fmt.Errorf("find unindexed candidates: %w", err)
		}
		return db.Transaction(func(tx *gorm.DB) error {
			for i := range missing {
				if err := Index(tx, &missing[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var bare []models.Candidate
		if err := tx.Where(`NOT EXISTS (SELECT 1 FROM candidate_search s WHERE s.candidate_id = candidates.id)
			AND NOT EXISTS (SELECT 1 FROM candidate_occupations o WHERE o.candidate_id = candidates.id)`).Find(&bare).Error; err != nil {
			return fmt.Errorf("find unindexed candidates: %w", err)
		}
		var rows []models.CandidateOccupation
		for i := range bare {
			rows = append(rows, OccupationRows(&bare[i])...)
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(&rows, 1000).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`INSERT INTO candidate_search (candidate_id, home_jobcenter, searchable, active, updated_at, search_vector, headline_vector)
			SELECT c.id, c.home_jobcenter, c.searchable, c.active, c.updated_at, ` + vectorSQL + `, ` + headlineSQL + ` FROM candidates c
			WHERE NOT EXISTS (SELECT 1 FROM candidate_search s WHERE s.candidate_id = c.id)`).Error
	})
}

// Index brings the candidate's index rows in line with the candidate as stored. Call it in the
// transaction that writes the candidate, after the write.
func Index(tx *gorm.DB, c *models.Candidate) error {
	var cv CV
	if err := json.Unmarshal([]byte(c.CV), &cv); err != nil {
		return fmt.Errorf("candidate %s: CV is not JSON: %w", c.ID, err)
	}
	if err := tx.Where("candidate_id = ?", c.ID).Delete(&models.CandidateOccupation{}).Error; err != nil {
		return err
	}
	if rows := OccupationRows(c); len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
	}
	if IsPostgres(tx) {
		return tx.Exec(`INSERT INTO candidate_search (candidate_id, home_jobcenter, searchable, active, updated_at, search_vector, headline_vector)
			SELECT c.id, c.home_jobcenter, c.searchable, c.active, c.updated_at, `+vectorSQL+`, `+headlineSQL+` FROM candidates c WHERE c.id = ?
			ON CONFLICT (candidate_id) DO UPDATE SET home_jobcenter = EXCLUDED.home_jobcenter, searchable = EXCLUDED.searchable,
				active = EXCLUDED.active, updated_at = EXCLUDED.updated_at, search_vector = EXCLUDED.search_vector,
				headline_vector = EXCLUDED.headline_vector`, c.ID).Error
	}
	if err := tx.Where("candidate_id = ?", c.ID).Delete(&models.CandidateSearch{}).Error; err != nil {
		return err
	}
	if err := tx.Create(&models.CandidateSearch{CandidateID: c.ID, HomeJobcenter: c.HomeJobcenter, Searchable: c.Searchable,
		Active: c.Active, UpdatedAt: c.UpdatedAt}).Error; err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM `+FTSTable+` WHERE candidate_id = ?`, c.ID).Error; err != nil {
		return err
	}
	body := strings.Join(cv.Skills, " ") + " " + cv.Experience + " " + cv.Education
	return tx.Exec(`INSERT INTO `+FTSTable+` (candidate_id, headline, body) VALUES (?, ?, ?)`, c.ID,
		strings.Join(Terms(cv.Headline), " "), strings.Join(Terms(body), " ")).Error
}

// OccupationRows are the candidate_occupations rows of a candidate's CV (its 4-digit codes, each once).
func OccupationRows(c *models.Candidate) []models.CandidateOccupation {
	var cv CV
	_ = json.Unmarshal([]byte(c.CV), &cv)
	seen, minors := map[string]bool{}, map[string]bool{}
	var rows []models.CandidateOccupation
	for _, code := range cv.Occupations {
		if len(code) != 4 || seen[code] {
			continue
		}
		seen[code] = true
		rows = append(rows, models.CandidateOccupation{CandidateID: c.ID, Code: code, MinorGroup: code[:3], FirstInMinor: !minors[code[:3]],
			HomeJobcenter: c.HomeJobcenter, Searchable: c.Searchable, Active: c.Active, UpdatedAt: c.UpdatedAt})
		minors[code[:3]] = true
	}
	return rows
}

// Remove deletes the candidate's index rows (search row, occupations, and on SQLite the FTS5
// row), so searches and suggestions no longer find the candidate; it returns how many rows went.
// Call it in the transaction that erases the candidate.
func Remove(tx *gorm.DB, candidateID string) (int64, error) {
	var n int64
	for _, model := range []any{&models.CandidateOccupation{}, &models.CandidateSearch{}} {
		res := tx.Where("candidate_id = ?", candidateID).Delete(model)
		if res.Error != nil {
			return 0, res.Error
		}
		n += res.RowsAffected
	}
	if !IsPostgres(tx) {
		res := tx.Exec(`DELETE FROM `+FTSTable+` WHERE candidate_id = ?`, candidateID)
		if res.Error != nil {
			return 0, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}
