package directory

import (
	"context"

	"jobordre/models"
)

// Person is someone the directory knows, as a page names them.
type Person struct {
	ID   string
	Name string
	// Jobcenter is a caseworker's or manager's job centre; "" for an employer's contact person.
	Jobcenter string
	// CVR is an employer contact's company; "" for job-centre staff.
	CVR string
}

// People looks up the job-centre staff and employer contact persons with the given IDs (the
// subjects a history or an order names) in two queries. IDs it does not know are absent.
func (d *Directory) People(ctx context.Context, ids []string) (map[string]Person, error) {
	out := map[string]Person{}
	if len(ids) == 0 {
		return out, nil
	}
	var staff []models.Caseworker
	if err := d.db.WithContext(ctx).Select("id", "name", "jobcenter").Where("id IN ?", ids).Find(&staff).Error; err != nil {
		return nil, err
	}
	for _, c := range staff {
		out[c.ID] = Person{ID: c.ID, Name: c.Name, Jobcenter: c.Jobcenter}
	}
	var contacts []models.CompanyContact
	if err := d.db.WithContext(ctx).Select("id", "name", "cvr").Where("id IN ?", ids).Find(&contacts).Error; err != nil {
		return nil, err
	}
	for _, c := range contacts {
		if _, ok := out[c.ID]; !ok {
			out[c.ID] = Person{ID: c.ID, Name: c.Name, CVR: c.CVR}
		}
	}
	return out, nil
}
