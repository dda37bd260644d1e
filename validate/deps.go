package validate

import (
	// validator/v10 checks the per-field rules (Field.Tag).
	_ "github.com/go-playground/validator/v10"
)
