module github.com/its-academy/auditor

go 1.26.8
