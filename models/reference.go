package models

import "time"

// ReferenceDataset records which version of an embedded reference dataset its ref_ table holds.
type ReferenceDataset struct {
	// Name is the dataset's name in internal/refdata, e.g. "municipalities" or "isco08_occupations".
	Name string `gorm:"primaryKey;size:40"`
	// Version is the hex SHA-256 of the dataset's embedded file(s), concatenated in load order.
	Version string `gorm:"size:64;not null"`
	// Source says where the data comes from (internal/refdata/data/SOURCES.md has the details).
	Source string `gorm:"size:500;not null"`
	// Rows is how many rows the load inserted.
	Rows int `gorm:"not null"`
	// LoadedAt is when this version was loaded; the migration leaves it alone while the version holds.
	LoadedAt time.Time `gorm:"not null"`
}

// RefMunicipality is one of Denmark's 98 municipalities with its region.
type RefMunicipality struct {
	Code       string `gorm:"primaryKey;size:3"`
	Name       string `gorm:"size:100;not null"`
	RegionCode string `gorm:"size:4;not null;index"`
	RegionName string `gorm:"size:100;not null"`
}

// TableName keeps the ref_ prefix explicit.
func (RefMunicipality) TableName() string { return "ref_municipalities" }

// RefPostalCode links a postal code to one municipality its area touches; a code may have several rows.
type RefPostalCode struct {
	PostalCode       string `gorm:"primaryKey;size:4"`
	MunicipalityCode string `gorm:"primaryKey;size:3;index"`
	City             string `gorm:"size:100;not null"`
}

// TableName keeps the ref_ prefix explicit.
func (RefPostalCode) TableName() string { return "ref_postal_codes" }

// RefMunicipalityNeighbour is a pair of municipalities sharing a land border, stored once with CodeA < CodeB.
type RefMunicipalityNeighbour struct {
	CodeA string `gorm:"primaryKey;size:3"`
	CodeB string `gorm:"primaryKey;size:3;index"`
}

// TableName keeps the ref_ prefix explicit.
func (RefMunicipalityNeighbour) TableName() string { return "ref_municipality_neighbours" }

// RefIndustry is a DB07 section (A–U), group (two digits) or subclass (NN.NN.NN).
type RefIndustry struct {
	Code  string `gorm:"primaryKey;size:8"`
	Level string `gorm:"size:8;not null;index"`
	Title string `gorm:"size:300;not null"`
	// Parent is the section of a group and the group of a subclass; "" for a section.
	Parent string `gorm:"size:8;not null;index"`
}

// TableName keeps the ref_ prefix explicit.
func (RefIndustry) TableName() string { return "ref_industries" }

// RefOccupation is an ISCO-08 group at level 1 (major group) to 4 (unit group).
type RefOccupation struct {
	Code    string `gorm:"primaryKey;size:4"`
	Level   int    `gorm:"not null;index"`
	TitleEN string `gorm:"column:title_en;size:300;not null"`
	// TitleDA is the Danish title; only the level-1 groups have one.
	TitleDA string `gorm:"column:title_da;size:300;not null"`
	// ParentCode is the code one level up; "" for level 1.
	ParentCode string `gorm:"size:4;not null;index"`
}

// TableName keeps the ref_ prefix explicit.
func (RefOccupation) TableName() string { return "ref_occupations" }
