/** A problem in an input file: where it is (file, line, column, field) and what is wrong. */
export interface InputError {
  file: string;
  line?: number;
  column?: number;
  /** The CSV column or the manifest JSON pointer of the bad field. */
  field?: string;
  message: string;
}
